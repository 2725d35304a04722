import click


@click.command()
def version() -> None:
    """Print kubelint's version and the Kubernetes versions it knows."""
    from kubelint import __version__
    from kubelint.schema.versions import DEFAULT, SUPPORTED

    click.echo(f"kubelint {__version__} (Kubernetes schemas {SUPPORTED[0]} to {SUPPORTED[-1]}, default {DEFAULT})")
