"""The zip Glue loads with --extra-py-files: deterministic, sources only, importable."""

import shutil
import subprocess
import sys
import zipfile

import build_package
import pytest


@pytest.fixture
def package_copy(tmp_path):
    copy = tmp_path / "src" / "xetl_transform"
    shutil.copytree(build_package.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_building_twice_gives_byte_identical_zips_even_after_files_are_touched(package_copy, tmp_path):
    first = build_package.build_zip(package_copy, tmp_path / "one.zip").read_bytes()
    for path in package_copy.rglob("*.py"):
        path.touch()
        path.chmod(0o600)
    second = build_package.build_zip(package_copy, tmp_path / "two.zip").read_bytes()
    assert first == second


def test_a_changed_source_changes_the_zip(package_copy, tmp_path):
    first = build_package.build_zip(package_copy, tmp_path / "one.zip").read_bytes()
    (package_copy / "contract.py").write_text((package_copy / "contract.py").read_text() + "\n# changed\n")
    assert build_package.build_zip(package_copy, tmp_path / "two.zip").read_bytes() != first


def test_the_zip_holds_sorted_python_sources_without_caches(package_copy, tmp_path):
    (package_copy / "__pycache__").mkdir()
    (package_copy / "__pycache__" / "contract.cpython-311.pyc").write_bytes(b"\x00")
    (package_copy / "notes.txt").write_text("not code")
    with zipfile.ZipFile(build_package.build_zip(package_copy, tmp_path / "p.zip")) as archive:
        names = archive.namelist()
        infos = archive.infolist()
    assert names == sorted(names)
    assert "xetl_transform/__init__.py" in names and "xetl_transform/validate.py" in names
    assert all(n.startswith("xetl_transform/") and n.endswith(".py") for n in names)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_the_package_imports_from_the_zip_alone(tmp_path):
    out = build_package.build_zip(out=tmp_path / "xetl_transform.zip")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import xetl_transform; "
            "print(xetl_transform.__file__); print(xetl_transform.run_products_partition.__name__)")
    result = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, cwd=tmp_path,
                            check=True)
    assert result.stdout.splitlines() == [f"{out}/xetl_transform/__init__.py", "run_products_partition"]
