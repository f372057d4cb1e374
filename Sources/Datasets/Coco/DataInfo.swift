import Structures

/// One instance of an image as mmdetection's `CocoDataset.parse_data_info` records it.
public struct InstanceInfo: Sendable, Equatable {
    /// `[x, y, x + w, y + h]` in pixels (Double as parsed).
    public var bbox: [Double]
    /// 0-based class index.
    public var label: Int
    /// Crowd annotations (and, after LoadAnnotations, instances with unusable masks) are 1.
    public var ignoreFlag: Bool
    public var mask: CocoSegmentation?
    /// The annotation id, for messages.
    public var annotationId: Int

    public init(bbox: [Double], label: Int, ignoreFlag: Bool, mask: CocoSegmentation?, annotationId: Int) {
        self.bbox = bbox
        self.label = label
        self.ignoreFlag = ignoreFlag
        self.mask = mask
        self.annotationId = annotationId
    }
}

/// One image of a dataset (mmdetection's `data_info`): where the file is, its size as the
/// annotation file says, and its instances.
public struct DataInfo: Sendable, Equatable {
    public var imgId: Int
    public var imgPath: String
    public var height: Int
    public var width: Int
    public var instances: [InstanceInfo]
    /// The annotation file, for messages.
    public var annotationFile: String

    public init(imgId: Int, imgPath: String, height: Int, width: Int, instances: [InstanceInfo], annotationFile: String) {
        self.imgId = imgId
        self.imgPath = imgPath
        self.height = height
        self.width = width
        self.instances = instances
        self.annotationFile = annotationFile
    }
}
