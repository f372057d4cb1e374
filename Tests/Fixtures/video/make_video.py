"""Makes Tests/Fixtures/video/fruits.mp4, the small video the video tests read, and expected.json.

The video: 8 frames of 320x240 at 5 frames per second, frame i the window of
data/fruits_nuts/images/3.jpg (800x600, decoded by OpenCV) whose top-left corner is
(x, y) = (40 * i, 20 * i), written by OpenCV's VideoWriter with the 'mp4v' fourcc (MPEG-4
Part 2 in an MP4 container), as mmdetection's demo/video_demo.py writes its output.
expected.json records what OpenCV's VideoCapture reads back (frame count, fps, size) and,
per frame, the mean absolute difference between the decoded frame and its source window.

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

    capture = cv2.VideoCapture(path)
    decoded = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        decoded.append(frame)
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
        "versions": {"opencv": cv2.__version__, "numpy": np.__version__},
    }
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(json.dumps(expected, indent=1))


if __name__ == "__main__":
    main()
