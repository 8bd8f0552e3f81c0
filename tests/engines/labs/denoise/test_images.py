"""Image files for the denoising lab: formats, bit depths, alpha, and clear errors for bad files."""
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from engines.labs.denoise.images import ImageError, list_images, load_image, output_suffix, save_image


def _png_header_only(path, width, height, bit_depth=8, color_type=0):
    """A PNG whose header claims ``width``×``height`` (for the decompression-bomb check)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16))
                     + chunk(b"IEND", b""))
    return path


def _png16_rgb(path, array):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    h, w, _ = array.shape
    raw = b"".join(b"\0" + array[y].astype(">u2").tobytes() for y in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
                     + chunk(b"IEND", b""))
    return path


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tif"])
@pytest.mark.parametrize("shape", [(12, 10), (12, 10, 3)])
def test_8_bit_gray_and_rgb_round_trip_exactly(tmp_path, rng, suffix, shape):
    data = rng.integers(0, 256, shape, dtype=np.uint8)
    path = save_image(tmp_path / f"a{suffix}", data / 255.0, bit_depth=8)
    image = load_image(path)
    assert image.bit_depth == 8 and image.alpha is None and image.is_color == (len(shape) == 3)
    np.testing.assert_array_equal(image.original, data)
    assert image.pixels.dtype == np.float32 and image.pixels.max() <= 1.0


def test_16_bit_gray_png_and_rgb_tiff_keep_16_bits(tmp_path, rng):
    gray = rng.integers(0, 65536, (9, 7), dtype=np.uint16)
    rgb = rng.integers(0, 65536, (9, 7, 3), dtype=np.uint16)
    for name, data in (("g.png", gray), ("c.tif", rgb)):
        path = save_image(tmp_path / name, data / 65535.0, bit_depth=16)
        image = load_image(path)
        assert image.bit_depth == 16
        np.testing.assert_array_equal(image.original, data)
    assert output_suffix(".png", color=True, bit_depth=16) == ".tif"
    assert output_suffix(".jpg", color=False, bit_depth=8) == ".png"  # no lossy re-encoding


def test_alpha_is_kept_apart_and_written_back(tmp_path, rng):
    rgba = rng.integers(0, 256, (8, 6, 4), dtype=np.uint8)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    image = load_image(tmp_path / "a.png")
    np.testing.assert_array_equal(image.original, rgba[..., :3])
    np.testing.assert_array_equal(image.alpha, rgba[..., 3])
    out = save_image(tmp_path / "b.png", image.pixels, bit_depth=8, alpha=image.alpha)
    np.testing.assert_array_equal(np.asarray(Image.open(out)), rgba)
    la = Image.fromarray(rgba[..., :2].copy(), "LA")
    la.save(tmp_path / "la.png")
    gray = load_image(tmp_path / "la.png")
    assert gray.original.shape == (8, 6) and gray.alpha.shape == (8, 6)


def test_jpeg_and_palette_images_load(tmp_path, rng):
    data = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    Image.fromarray(data).save(tmp_path / "a.jpg")
    Image.fromarray(data).convert("P").save(tmp_path / "p.png")
    assert load_image(tmp_path / "a.jpg").original.shape == (16, 16, 3)
    assert load_image(tmp_path / "p.png").original.shape == (16, 16, 3)
    assert [p.name for p in list_images(tmp_path)] == ["a.jpg", "p.png"]


def test_bad_files_give_one_clear_message_naming_the_file(tmp_path, rng):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    data = rng.integers(0, 256, (64, 64), dtype=np.uint8)
    Image.fromarray(data).save(tmp_path / "full.png")
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes((tmp_path / "full.png").read_bytes()[:200])
    bomb = _png_header_only(tmp_path / "bomb.png", 50_000, 50_000)
    rgb16 = _png16_rgb(tmp_path / "rgb16.png", rng.integers(0, 65536, (4, 5, 3), dtype=np.uint16))
    Image.fromarray(rng.random((4, 4), dtype=np.float32), "F").save(tmp_path / "float.tif")
    cases = [(empty, "empty"), (text, "not a recognised image"), (truncated, "truncated"),
             (bomb, "decompression bomb"), (rgb16, "16-bit RGB PNG"), (tmp_path / "float.tif", "unsupported"),
             (tmp_path / "missing.png", "no such file")]
    for path, needle in cases:
        with pytest.raises(ImageError) as info:
            load_image(path)
        message = str(info.value)
        assert str(path) in message and needle in message and "\n" not in message
    with pytest.raises(ImageError, match="limit"):
        load_image(tmp_path / "full.png", max_pixels=100)


def test_save_never_leaves_a_partial_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ImageError, match="unsupported output format"):
        save_image(out / "x.gif", np.zeros((4, 4)), bit_depth=8)
    assert list(out.iterdir()) == []


def test_multi_page_tiff_loads_page_one_and_says_so(tmp_path, rng):
    import tifffile

    pages = rng.integers(0, 256, (3, 8, 8), dtype=np.uint8)
    for page in pages:
        tifffile.imwrite(tmp_path / "stack.tif", page, append=True)
    image = load_image(tmp_path / "stack.tif")
    assert np.array_equal(image.original, pages[0])
    assert image.info["pages"] == 3 and image.info["note"] == "page 1 of 3 used"
    tifffile.imwrite(tmp_path / "one.tif", pages[0])
    assert "note" not in load_image(tmp_path / "one.tif").info


def test_save_without_overwrite_keeps_an_existing_file(tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "a.png"
    target.write_bytes(b"someone's file")
    with pytest.raises(FileExistsError):
        save_image(target, np.zeros((4, 4), np.float32), overwrite=False)
    assert target.read_bytes() == b"someone's file" and sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]
    save_image(tmp_path / "b.png", np.zeros((4, 4), np.float32), overwrite=False)
    assert load_image(tmp_path / "b.png").shape == (4, 4)


def test_fifo_and_link_loop_are_listed_and_refused_without_opening(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.png")  # opening it would block: it must be refused from its stat
    os.symlink(tmp_path / "b.png", tmp_path / "a.png")
    os.symlink(tmp_path / "a.png", tmp_path / "b.png")
    (tmp_path / "folder.png").mkdir()
    assert [p.name for p in list_images(tmp_path)] == ["a.png", "b.png", "pipe.png"]
    with pytest.raises(ImageError, match="pipe.png: a FIFO"):
        load_image(tmp_path / "pipe.png")
    with pytest.raises(ImageError, match="a.png: symbolic link loop"):
        load_image(tmp_path / "a.png")
