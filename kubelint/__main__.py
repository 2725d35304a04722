from kubelint.cli import run

run()
