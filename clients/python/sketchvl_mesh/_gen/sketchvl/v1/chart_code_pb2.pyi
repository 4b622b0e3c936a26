from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

CHART_ERROR_CATEGORY_DATA: ChartErrorCategory
CHART_ERROR_CATEGORY_STRUCTURE: ChartErrorCategory
CHART_ERROR_CATEGORY_STYLE: ChartErrorCategory
CHART_ERROR_CATEGORY_TEXT: ChartErrorCategory
CHART_ERROR_CATEGORY_UNSPECIFIED: ChartErrorCategory
CHART_RENDER_STATUS_BLANK: ChartRenderStatus
CHART_RENDER_STATUS_FORBIDDEN_IO: ChartRenderStatus
CHART_RENDER_STATUS_INVALID_SPEC: ChartRenderStatus
CHART_RENDER_STATUS_MEMORY_LIMIT: ChartRenderStatus
CHART_RENDER_STATUS_NO_CODE: ChartRenderStatus
CHART_RENDER_STATUS_OK: ChartRenderStatus
CHART_RENDER_STATUS_TIMEOUT: ChartRenderStatus
CHART_RENDER_STATUS_TOO_LARGE: ChartRenderStatus
CHART_RENDER_STATUS_UNSPECIFIED: ChartRenderStatus
DESCRIPTOR: _descriptor.FileDescriptor

class ChartCodeError(_message.Message):
    __slots__ = ["category", "description", "location", "severity"]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    category: ChartErrorCategory
    description: str
    location: str
    severity: int
    def __init__(self, category: _Optional[_Union[ChartErrorCategory, str]] = ..., severity: _Optional[int] = ..., location: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class ChartErrorCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ChartRenderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
