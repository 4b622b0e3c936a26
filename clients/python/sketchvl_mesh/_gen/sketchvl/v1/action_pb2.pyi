from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

ACTION_KIND_CIRCLE: ActionKind
ACTION_KIND_CROP: ActionKind
ACTION_KIND_LINE: ActionKind
ACTION_KIND_POINT: ActionKind
ACTION_KIND_RECTANGLE: ActionKind
ACTION_KIND_TEXT: ActionKind
ACTION_KIND_UNSPECIFIED: ActionKind
COORDINATE_SPACE_NORM_1000: CoordinateSpace
COORDINATE_SPACE_PIXEL: CoordinateSpace
COORDINATE_SPACE_UNIT: CoordinateSpace
COORDINATE_SPACE_UNSPECIFIED: CoordinateSpace
DESCRIPTOR: _descriptor.FileDescriptor

class CircleAction(_message.Message):
    __slots__ = ["center", "radius"]
    CENTER_FIELD_NUMBER: _ClassVar[int]
    RADIUS_FIELD_NUMBER: _ClassVar[int]
    center: Point2
    radius: float
    def __init__(self, center: _Optional[_Union[Point2, _Mapping]] = ..., radius: _Optional[float] = ...) -> None: ...

class CropAction(_message.Message):
    __slots__ = ["corner1", "corner2"]
    CORNER1_FIELD_NUMBER: _ClassVar[int]
    CORNER2_FIELD_NUMBER: _ClassVar[int]
    corner1: Point2
    corner2: Point2
    def __init__(self, corner1: _Optional[_Union[Point2, _Mapping]] = ..., corner2: _Optional[_Union[Point2, _Mapping]] = ...) -> None: ...

class DrawingAction(_message.Message):
    __slots__ = ["circle", "color", "crop", "line", "point", "rectangle", "space", "text"]
    CIRCLE_FIELD_NUMBER: _ClassVar[int]
    COLOR_FIELD_NUMBER: _ClassVar[int]
    CROP_FIELD_NUMBER: _ClassVar[int]
    LINE_FIELD_NUMBER: _ClassVar[int]
    POINT_FIELD_NUMBER: _ClassVar[int]
    RECTANGLE_FIELD_NUMBER: _ClassVar[int]
    SPACE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    circle: CircleAction
    color: str
    crop: CropAction
    line: LineAction
    point: PointAction
    rectangle: RectangleAction
    space: CoordinateSpace
    text: TextAction
    def __init__(self, point: _Optional[_Union[PointAction, _Mapping]] = ..., line: _Optional[_Union[LineAction, _Mapping]] = ..., rectangle: _Optional[_Union[RectangleAction, _Mapping]] = ..., circle: _Optional[_Union[CircleAction, _Mapping]] = ..., text: _Optional[_Union[TextAction, _Mapping]] = ..., crop: _Optional[_Union[CropAction, _Mapping]] = ..., color: _Optional[str] = ..., space: _Optional[_Union[CoordinateSpace, str]] = ...) -> None: ...

class LineAction(_message.Message):
    __slots__ = ["end", "start"]
    END_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    end: Point2
    start: Point2
    def __init__(self, start: _Optional[_Union[Point2, _Mapping]] = ..., end: _Optional[_Union[Point2, _Mapping]] = ...) -> None: ...

class Point2(_message.Message):
    __slots__ = ["x", "y"]
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    x: float
    y: float
    def __init__(self, x: _Optional[float] = ..., y: _Optional[float] = ...) -> None: ...

class PointAction(_message.Message):
    __slots__ = ["at"]
    AT_FIELD_NUMBER: _ClassVar[int]
    at: Point2
    def __init__(self, at: _Optional[_Union[Point2, _Mapping]] = ...) -> None: ...

class RectangleAction(_message.Message):
    __slots__ = ["corner1", "corner2"]
    CORNER1_FIELD_NUMBER: _ClassVar[int]
    CORNER2_FIELD_NUMBER: _ClassVar[int]
    corner1: Point2
    corner2: Point2
    def __init__(self, corner1: _Optional[_Union[Point2, _Mapping]] = ..., corner2: _Optional[_Union[Point2, _Mapping]] = ...) -> None: ...

class TextAction(_message.Message):
    __slots__ = ["at", "text"]
    AT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    at: Point2
    text: str
    def __init__(self, at: _Optional[_Union[Point2, _Mapping]] = ..., text: _Optional[str] = ...) -> None: ...

class CoordinateSpace(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ActionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
