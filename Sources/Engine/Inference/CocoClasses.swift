/// The 80 object classes of COCO 2017 instances in label order (mmdetection's
/// `CocoDataset.METAINFO['classes']`), with the category id each has in the official
/// annotation files (1...90 with gaps). `detect` names and numbers its labels with them when a
/// config does not give its own classes.
public enum CocoClasses {
    public static let names: [String] = [
        "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
        "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
        "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
        "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
        "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
        "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
        "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
        "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
        "teddy bear", "hair drier", "toothbrush",
    ]

    /// The official category id of each class in `names`' order.
    public static let categoryIds: [Int] =
        Array(1...11) + Array(13...25) + [27, 28] + Array(31...44) + Array(46...65) + [67, 70] + Array(72...82) + Array(84...90)
}
