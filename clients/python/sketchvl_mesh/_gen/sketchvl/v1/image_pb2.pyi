from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
IMAGE_FORMAT_DIGEST_ONLY: ImageFormat
IMAGE_FORMAT_PATCH: ImageFormat
IMAGE_FORMAT_PNG: ImageFormat
IMAGE_FORMAT_RAW: ImageFormat
IMAGE_FORMAT_UNSPECIFIED: ImageFormat

class Image(_message.Message):
    __slots__ = ["digest", "encoded", "patch", "raw"]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    ENCODED_FIELD_NUMBER: _ClassVar[int]
    PATCH_FIELD_NUMBER: _ClassVar[int]
    RAW_FIELD_NUMBER: _ClassVar[int]
    digest: str
    encoded: bytes
    patch: ImagePatch
    raw: RawImage
    def __init__(self, encoded: _Optional[bytes] = ..., raw: _Optional[_Union[RawImage, _Mapping]] = ..., digest: _Optional[str] = ..., patch: _Optional[_Union[ImagePatch, _Mapping]] = ...) -> None: ...

class ImagePatch(_message.Message):
    __slots__ = ["base", "regions"]
    BASE_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    base: str
    regions: _containers.RepeatedCompositeFieldContainer[PatchRegion]
    def __init__(self, base: _Optional[str] = ..., regions: _Optional[_Iterable[_Union[PatchRegion, _Mapping]]] = ...) -> None: ...

class ImageRef(_message.Message):
    __slots__ = ["digest", "height", "image", "width"]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    digest: str
    height: int
    image: Image
    width: int
    def __init__(self, digest: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., image: _Optional[_Union[Image, _Mapping]] = ...) -> None: ...

class PatchRegion(_message.Message):
    __slots__ = ["left", "pixels", "top"]
    LEFT_FIELD_NUMBER: _ClassVar[int]
    PIXELS_FIELD_NUMBER: _ClassVar[int]
    TOP_FIELD_NUMBER: _ClassVar[int]
    left: int
    pixels: RawImage
    top: int
    def __init__(self, left: _Optional[int] = ..., top: _Optional[int] = ..., pixels: _Optional[_Union[RawImage, _Mapping]] = ...) -> None: ...

class RawImage(_message.Message):
    __slots__ = ["channels", "height", "pixels", "width"]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    PIXELS_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    channels: int
    height: int
    pixels: bytes
    width: int
    def __init__(self, width: _Optional[int] = ..., height: _Optional[int] = ..., channels: _Optional[int] = ..., pixels: _Optional[bytes] = ...) -> None: ...

class ImageFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
