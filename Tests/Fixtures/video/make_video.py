"""Makes Tests/Fixtures/video/fruits.mp4, the small video the video tests read, and expected.json.

The video: 8 frames of 320x240 at 5 frames per second, frame i the window of
data/fruits_nuts/images/3.jpg (800x600, decoded by OpenCV) whose top-left corner is
(x, y) = (40 * i, 20 * i), written by OpenCV's VideoWriter with the 'mp4v' fourcc (MPEG-4
Part 2 in an MP4 container), as mmdetection's demo/video_demo.py writes its output.
expected.json records what OpenCV's VideoCapture reads back (frame count, fps, size) and,
per frame, the mean absolute difference between the decoded frame and its source window.

fruits_rot90.mp4 is the same file with its video track header's display matrix set to a
90-degree turn (as a phone writes a portrait video); OpenCV's VideoCapture turns its frames
upright (240 wide, 320 high: each frame its window turned 90 degrees clockwise).

Rerun from the repository root with a Python that has opencv-python-headless and numpy:
    python Tests/Fixtures/video/make_video.py
(made with opencv-python-headless 5.1.0.95, numpy 2.4.6).
"""
import json
import os

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join("data", "fruits_nuts", "images", "3.jpg")
FRAMES, WIDTH, HEIGHT, FPS = 8, 320, 240, 5.0


def windows(image):
    return [image[20 * i:20 * i + HEIGHT, 40 * i:40 * i + WIDTH] for i in range(FRAMES)]


def rotate_90(data):
    """The MP4 bytes with the first 'tkhd' box's matrix set to a 90-degree clockwise turn."""
    i = data.index(b"tkhd")
    version = data[i + 4]
    # box type, version/flags, times and ids, reserved, layer, group, volume, reserved
    matrix = i + 4 + 4 + (32 if version == 1 else 20) + 8 + 2 + 2 + 2 + 2
    fixed = lambda v: (v & 0xFFFFFFFF).to_bytes(4, "big")
    values = [0, 1 << 16, 0, -(1 << 16), 0, 0, 0, 0, 1 << 30]
    return data[:matrix] + b"".join(fixed(v) for v in values) + data[matrix + 36:]


def read_all(path):
    capture = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            return capture, frames
        frames.append(frame)


def main():
    image = cv2.imread(SOURCE, cv2.IMREAD_COLOR)
    assert image.shape == (600, 800, 3), image.shape
    path = os.path.join(HERE, "fruits.mp4")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), FPS, (WIDTH, HEIGHT))
    assert writer.isOpened()
    sources = windows(image)
    for frame in sources:
        writer.write(np.ascontiguousarray(frame))
    writer.release()

    capture, decoded = read_all(path)
    with open(path, "rb") as f:
        rotated_bytes = rotate_90(f.read())
    rotated_path = os.path.join(HERE, "fruits_rot90.mp4")
    with open(rotated_path, "wb") as f:
        f.write(rotated_bytes)
    rotated_capture, rotated = read_all(rotated_path)
    turned = [np.rot90(s, k=-1) for s in sources]
    expected = {
        "file": "fruits.mp4",
        "source": SOURCE,
        "windows": "frame i = source[20*i : 20*i + 240, 40*i : 40*i + 320]",
        "frames": len(decoded),
        "fps": capture.get(cv2.CAP_PROP_FPS),
        "width": int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
        "height": int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        "fourcc": "mp4v",
        "opencv_mean_abs_diff": [float(np.abs(d.astype(np.int32) - s.astype(np.int32)).mean()) for d, s in zip(decoded, sources)],
        "rotated": {
            "file": "fruits_rot90.mp4",
            "frames": len(rotated),
            "width": int(rotated_capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            "height": int(rotated_capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            "frame_shape": list(rotated[0].shape),
            "orientation_meta": rotated_capture.get(cv2.CAP_PROP_ORIENTATION_META),
            "opencv_mean_abs_diff": [float(np.abs(d.astype(np.int32) - t.astype(np.int32)).mean()) for d, t in zip(rotated, turned)],
        },
        "versions": {"opencv": cv2.__version__, "numpy": np.__version__},
    }
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(json.dumps(expected, indent=1))


if __name__ == "__main__":
    main()
