"""Type stubs for imc: cv2's codec functions (imdecode, imencode, imread,
imwrite, the multi-page and animation ones, imshow and its key functions)
and imc's own raising API (decode, encode, probe, read, write, batches).
Images are NumPy arrays: rows x cols (x channels) of uint8, uint16, int8,
int16, int32, float32 or float64. Kept in step with the module by
tests/python/test_stubs.py."""
import os
from typing import (IO, Any, Iterator, List, Literal, Mapping, NamedTuple, Optional, Sequence, Tuple,
                    Union, overload)

import numpy as np
import numpy.typing as npt

__version__: str

Image = npt.NDArray[Any]
#: bytes, bytearray, memoryview, mmap, array.array, NumPy arrays: anything
#: with the buffer protocol
Buffer = Union[bytes, bytearray, memoryview, npt.NDArray[Any], Any]
#: a buffer, or an object with read() giving bytes (io.BytesIO, open(..., "rb"))
Source = Union[Buffer, IO[bytes]]
Path = Union[str, bytes, os.PathLike[str]]
Params = Optional[Sequence[int]]
# encode(metadata=...): {kind: blob} or (kind, blob) pairs
MetadataBlobs = Optional[Union[Mapping[Union[str, int], Union[bytes, str, npt.ArrayLike]], Sequence[Tuple[Union[str, int], Union[bytes, str, npt.ArrayLike]]]]]


class error(Exception):
    """An imc failure: args are (code, message); `damage` (check()'s dict)
    when decoding failed for damaged data."""
    code: int
    message: str
    damage: dict[str, Any]

class DamageWarning(UserWarning):
    """decode(..., partial=True) returned an image that is not complete."""


class ImageInfo(NamedTuple):
    format: str
    width: int
    height: int
    channels: int
    dtype: str
    orientation: int


class Animation:
    frames: List[Image]
    durations: List[int]
    loop_count: int
    bgcolor: Tuple[float, float, float, float]
    def __init__(self, loopCount: int = ..., bgColor: Sequence[float] = ...) -> None: ...


class ImageCollection:
    """cv::ImageCollection: a file's pages, each decoded on first use."""
    def __init__(self, filename: Optional[Path] = ..., flags: int = ...) -> None: ...
    def init(self, filename: Path, flags: int = ...) -> None: ...
    def size(self) -> int: ...
    def __len__(self) -> int: ...
    def at(self, index: int) -> Optional[Image]: ...
    def __getitem__(self, index: int) -> Optional[Image]: ...
    def __iter__(self) -> Iterator[Optional[Image]]: ...
    def releaseCache(self, index: int) -> None: ...


# ---- cv2's functions, cv2's results -------------------------------------------------
def imdecode(buf: Buffer, flags: int) -> Optional[Image]: ...
def imencode(ext: str, img: npt.ArrayLike, params: Params = ...) -> Tuple[bool, npt.NDArray[np.uint8]]: ...
def imread(filename: Union[Path, IO[bytes]], flags: int = ...) -> Optional[Image]: ...
def imwrite(filename: Path, img: npt.ArrayLike, params: Params = ...) -> bool: ...
def imdecodemulti(buf: Buffer, flags: int, mats: Optional[List[Image]] = ...,
                  range: Any = ...) -> Tuple[bool, List[Image]]: ...
def imreadmulti(filename: Path, *args: Any, **kw: Any) -> Tuple[bool, List[Image]]: ...
def imdecodeWithMetadata(buf: Buffer, metadata: Any = ..., flags: int = ...) -> Tuple[Optional[Image], Any, Tuple[npt.NDArray[np.uint8], ...]]: ...
def imreadWithMetadata(filename: Path, metadata: Any = ..., flags: int = ...) -> Tuple[Optional[Image], Any, Tuple[npt.NDArray[np.uint8], ...]]: ...
def imencodeWithMetadata(ext: str, img: npt.ArrayLike, metadataTypes: Sequence[int],
                         metadata: Sequence[Any], params: Params = ...) -> Tuple[bool, npt.NDArray[np.uint8]]: ...
def imwriteWithMetadata(filename: Path, img: npt.ArrayLike, metadataTypes: Sequence[int],
                        metadata: Sequence[Any], params: Params = ...) -> bool: ...
def imencodemulti(ext: str, imgs: Sequence[npt.ArrayLike], params: Params = ...) -> Tuple[bool, npt.NDArray[np.uint8]]: ...
def imwritemulti(filename: Path, img: Sequence[npt.ArrayLike], params: Params = ...) -> bool: ...
def imcount(filename: Path, flags: int = ...) -> int: ...
def imdecodeanimation(buf: Buffer, start: int = ..., count: int = ...) -> Tuple[bool, Animation]: ...
def imreadanimation(filename: Path, start: int = ..., count: int = ...) -> Tuple[bool, Animation]: ...
def imencodeanimation(ext: str, animation: Animation, params: Params = ...) -> Tuple[bool, npt.NDArray[np.uint8]]: ...
def imwriteanimation(filename: Path, animation: Animation, params: Params = ...) -> bool: ...
def haveImageReader(filename: Union[Path, Buffer]) -> bool: ...
def haveImageWriter(filename: Path) -> bool: ...
def PSNR(src1: npt.ArrayLike, src2: npt.ArrayLike, R: float = ...) -> float: ...
def imshow(winname: str, mat: npt.ArrayLike) -> None: ...
def waitKey(delay: int = ...) -> int: ...
def waitKeyEx(delay: int = ...) -> int: ...
def pollKey() -> int: ...
def destroyWindow(winname: str) -> None: ...
def destroyAllWindows() -> None: ...


# ---- imc's own: errors raised as imc.error ------------------------------------------
@overload
def decode(data: Source, flags: int = ..., *, rgb: bool = ..., max_width: int = ...,
           max_height: int = ..., max_pixels: int = ..., max_bytes: int = ...,
           orientation: str = ..., fail_on: Optional[str] = ..., partial: bool = ...,
           report: Literal[False] = ..., metadata: Literal[False] = ..., threads: int = ..., out: Optional[Image] = ...) -> Image: ...
@overload
def decode(data: Source, flags: int = ..., *, rgb: bool = ..., max_width: int = ...,
           max_height: int = ..., max_pixels: int = ..., max_bytes: int = ...,
           orientation: str = ..., fail_on: Optional[str] = ..., partial: bool = ...,
           report: Literal[True], metadata: Literal[False] = ..., threads: int = ..., out: Optional[Image] = ...) -> Tuple[Image, dict[str, Any]]: ...
@overload
def decode(data: Source, flags: int = ..., *, rgb: bool = ..., max_width: int = ...,
           max_height: int = ..., max_pixels: int = ..., max_bytes: int = ...,
           orientation: str = ..., fail_on: Optional[str] = ..., partial: bool = ...,
           report: Literal[False] = ..., metadata: Literal[True], threads: int = ..., out: Optional[Image] = ...) -> Tuple[Image, dict[str, bytes]]: ...
@overload
def decode(data: Source, flags: int = ..., *, rgb: bool = ..., max_width: int = ...,
           max_height: int = ..., max_pixels: int = ..., max_bytes: int = ...,
           orientation: str = ..., fail_on: Optional[str] = ..., partial: bool = ...,
           report: Literal[True], metadata: Literal[True], threads: int = ..., out: Optional[Image] = ...) -> Tuple[Image, dict[str, Any], dict[str, bytes]]: ...
@overload
def read(path: Union[Path, IO[bytes]], flags: int = ..., *, rgb: bool = ..., max_width: int = ...,
         max_height: int = ..., max_pixels: int = ..., max_bytes: int = ...,
         orientation: str = ..., fail_on: Optional[str] = ..., partial: bool = ...,
         report: Literal[False] = ..., metadata: Literal[False] = ..., threads: int = ...) -> Image: ...
@overload
def read(path: Union[Path, IO[bytes]], flags: int = ..., *, rgb: bool = ..., max_width: int = ...,
         max_height: int = ..., max_pixels: int = ..., max_bytes: int = ...,
         orientation: str = ..., fail_on: Optional[str] = ..., partial: bool = ...,
         report: Literal[True], metadata: Literal[False] = ..., threads: int = ...) -> Tuple[Image, dict[str, Any]]: ...
@overload
def read(path: Union[Path, IO[bytes]], flags: int = ..., *, rgb: bool = ..., max_width: int = ...,
         max_height: int = ..., max_pixels: int = ..., max_bytes: int = ...,
         orientation: str = ..., fail_on: Optional[str] = ..., partial: bool = ...,
         report: Literal[False] = ..., metadata: Literal[True], threads: int = ...) -> Tuple[Image, dict[str, bytes]]: ...
@overload
def read(path: Union[Path, IO[bytes]], flags: int = ..., *, rgb: bool = ..., max_width: int = ...,
         max_height: int = ..., max_pixels: int = ..., max_bytes: int = ...,
         orientation: str = ..., fail_on: Optional[str] = ..., partial: bool = ...,
         report: Literal[True], metadata: Literal[True], threads: int = ...) -> Tuple[Image, dict[str, Any], dict[str, bytes]]: ...
def check(data: Buffer, flags: int = ...) -> dict[str, Any]: ...
def encode(ext: str, img: npt.ArrayLike, params: Params = ..., *, rgb: bool = ...,
           metadata: MetadataBlobs = ..., threads: int = ...) -> bytes: ...
def write(path: Path, img: npt.ArrayLike, params: Params = ..., *, rgb: bool = ...,
          metadata: MetadataBlobs = ..., threads: int = ...) -> None: ...
def metadata(data: Buffer) -> List[Tuple[str, bytes]]: ...
def metadata_kinds_written(ext: str) -> List[str]: ...
def exif_set_orientation(exif: Buffer, orientation: int) -> bytes: ...
def carried_metadata(data: Buffer, ext: str, turned: bool,
                     strip: Sequence[str] = ...) -> dict[str, bytes]: ...
def probe(data: Source) -> ImageInfo: ...
def count(data: Buffer) -> int: ...
def decode_all(data: Buffer, flags: int = ..., start: int = ..., count: int = ..., *,
               rgb: bool = ..., **limits: Any) -> List[Image]: ...
def encode_all(ext: str, imgs: Sequence[npt.ArrayLike], params: Params = ..., *,
               rgb: bool = ..., metadata: MetadataBlobs = ...) -> bytes: ...
def decode_animation(data: Buffer, flags: int = ..., start: int = ..., count: int = ..., *,
                     rgb: bool = ..., **limits: Any) -> Animation: ...
def encode_animation(ext: str, animation: Animation, params: Params = ..., *,
                     rgb: bool = ..., metadata: MetadataBlobs = ...) -> bytes: ...
@overload
def thumbnail(data: Source, width: Optional[int] = ..., height: Optional[int] = ..., *,
              crop: bool = ..., upscale: bool = ..., flags: int = ..., rgb: bool = ...,
              max_width: int = ..., max_height: int = ..., max_pixels: int = ...,
              max_bytes: int = ..., fail_on: Optional[str] = ..., partial: bool = ...,
              ext: None = ..., params: Params = ..., report: Literal[False] = ...) -> Image: ...
@overload
def thumbnail(data: Source, width: Optional[int] = ..., height: Optional[int] = ..., *,
              crop: bool = ..., upscale: bool = ..., flags: int = ..., rgb: bool = ...,
              max_width: int = ..., max_height: int = ..., max_pixels: int = ...,
              max_bytes: int = ..., fail_on: Optional[str] = ..., partial: bool = ...,
              ext: str, params: Params = ..., report: Literal[False] = ...) -> bytes: ...
@overload
def thumbnail(data: Source, width: Optional[int] = ..., height: Optional[int] = ..., *,
              crop: bool = ..., upscale: bool = ..., flags: int = ..., rgb: bool = ...,
              max_width: int = ..., max_height: int = ..., max_pixels: int = ...,
              max_bytes: int = ..., fail_on: Optional[str] = ..., partial: bool = ...,
              ext: Optional[str] = ..., params: Params = ...,
              report: Literal[True]) -> Tuple[Union[Image, bytes], dict[str, Any]]: ...
def thumbnail_batch(buffers: Sequence[Buffer], width: Optional[int] = ...,
                    height: Optional[int] = ..., threads: int = ..., *, crop: bool = ...,
                    upscale: bool = ..., flags: int = ..., rgb: bool = ..., max_width: int = ...,
                    max_height: int = ..., max_pixels: int = ..., max_bytes: int = ...,
                    fail_on: Optional[str] = ..., partial: bool = ..., ext: Optional[str] = ...,
                    params: Params = ...) -> List[Union[Image, bytes, error]]: ...
def decode_batch(buffers: Sequence[Buffer], flags: int = ..., threads: int = ..., *,
                 rgb: bool = ..., max_width: int = ..., max_height: int = ...,
                 max_pixels: int = ..., max_bytes: int = ..., orientation: str = ...,
                 fail_on: Optional[str] = ..., partial: bool = ...,
                 out: Optional[Image] = ...) -> List[Union[Image, error]]: ...
def encode_batch(ext: str, imgs: Sequence[npt.ArrayLike], params: Params = ...,
                 threads: int = ..., *, rgb: bool = ...) -> List[Union[bytes, error]]: ...
def formats() -> List[dict[str, Any]]: ...
def have_image_reader(ext_or_bytes: Union[str, Buffer]) -> bool: ...
def have_image_writer(ext: str) -> bool: ...


# ---- constants: cv2's names and values ----------------------------------------------
ERR_ARG: int
ERR_CORRUPT: int
ERR_INTERNAL: int
ERR_IO: int
ERR_LIMITS: int
ERR_NOMEM: int
ERR_NO_ENCODER: int
ERR_NO_PAGE: int
ERR_PARAM: int
ERR_TRUNCATED: int
ERR_UNKNOWN_FORMAT: int
ERR_UNSUPPORTED: int
IMAGE_METADATA_CICP: int
IMAGE_METADATA_EXIF: int
IMAGE_METADATA_ICCP: int
IMAGE_METADATA_XMP: int
IMREAD_ANYCOLOR: int
IMREAD_ANYDEPTH: int
IMREAD_COLOR: int
IMREAD_COLOR_BGR: int
IMREAD_COLOR_RGB: int
IMREAD_GRAYSCALE: int
IMREAD_IGNORE_ORIENTATION: int
IMREAD_LOAD_GDAL: int
IMREAD_REDUCED_COLOR_2: int
IMREAD_REDUCED_COLOR_4: int
IMREAD_REDUCED_COLOR_8: int
IMREAD_REDUCED_GRAYSCALE_2: int
IMREAD_REDUCED_GRAYSCALE_4: int
IMREAD_REDUCED_GRAYSCALE_8: int
IMREAD_UNCHANGED: int
IMWRITE_AVIF_DEPTH: int
IMWRITE_AVIF_QUALITY: int
IMWRITE_AVIF_SPEED: int
IMWRITE_BMP_COMPRESSION: int
IMWRITE_BMP_COMPRESSION_BITFIELDS: int
IMWRITE_BMP_COMPRESSION_RGB: int
IMWRITE_EXR_COMPRESSION: int
IMWRITE_EXR_COMPRESSION_B44: int
IMWRITE_EXR_COMPRESSION_B44A: int
IMWRITE_EXR_COMPRESSION_DWAA: int
IMWRITE_EXR_COMPRESSION_DWAB: int
IMWRITE_EXR_COMPRESSION_NO: int
IMWRITE_EXR_COMPRESSION_PIZ: int
IMWRITE_EXR_COMPRESSION_PXR24: int
IMWRITE_EXR_COMPRESSION_RLE: int
IMWRITE_EXR_COMPRESSION_ZIP: int
IMWRITE_EXR_COMPRESSION_ZIPS: int
IMWRITE_EXR_DWA_COMPRESSION_LEVEL: int
IMWRITE_EXR_TYPE: int
IMWRITE_EXR_TYPE_FLOAT: int
IMWRITE_EXR_TYPE_HALF: int
IMWRITE_GIF_COLORTABLE: int
IMWRITE_GIF_COLORTABLE_SIZE_128: int
IMWRITE_GIF_COLORTABLE_SIZE_16: int
IMWRITE_GIF_COLORTABLE_SIZE_256: int
IMWRITE_GIF_COLORTABLE_SIZE_32: int
IMWRITE_GIF_COLORTABLE_SIZE_64: int
IMWRITE_GIF_COLORTABLE_SIZE_8: int
IMWRITE_GIF_DITHER: int
IMWRITE_GIF_FAST_FLOYD_DITHER: int
IMWRITE_GIF_FAST_NO_DITHER: int
IMWRITE_GIF_LOOP: int
IMWRITE_GIF_QUALITY: int
IMWRITE_GIF_SPEED: int
IMWRITE_GIF_TRANSPARENCY: int
IMWRITE_HDR_COMPRESSION: int
IMWRITE_HDR_COMPRESSION_NONE: int
IMWRITE_HDR_COMPRESSION_RLE: int
IMWRITE_JPEG2000_COMPRESSION_X1000: int
IMWRITE_JPEGXL_DECODING_SPEED: int
IMWRITE_JPEGXL_DISTANCE: int
IMWRITE_JPEGXL_EFFORT: int
IMWRITE_JPEGXL_QUALITY: int
IMWRITE_JPEG_CHROMA_QUALITY: int
IMWRITE_JPEG_LUMA_QUALITY: int
IMWRITE_JPEG_OPTIMIZE: int
IMWRITE_JPEG_PROGRESSIVE: int
IMWRITE_JPEG_QUALITY: int
IMWRITE_JPEG_RST_INTERVAL: int
IMWRITE_JPEG_SAMPLING_FACTOR: int
IMWRITE_JPEG_SAMPLING_FACTOR_411: int
IMWRITE_JPEG_SAMPLING_FACTOR_420: int
IMWRITE_JPEG_SAMPLING_FACTOR_422: int
IMWRITE_JPEG_SAMPLING_FACTOR_440: int
IMWRITE_JPEG_SAMPLING_FACTOR_444: int
IMWRITE_PAM_FORMAT_BLACKANDWHITE: int
IMWRITE_PAM_FORMAT_GRAYSCALE: int
IMWRITE_PAM_FORMAT_GRAYSCALE_ALPHA: int
IMWRITE_PAM_FORMAT_NULL: int
IMWRITE_PAM_FORMAT_RGB: int
IMWRITE_PAM_FORMAT_RGB_ALPHA: int
IMWRITE_PAM_TUPLETYPE: int
IMWRITE_PNG_ALL_FILTERS: int
IMWRITE_PNG_BILEVEL: int
IMWRITE_PNG_COMPRESSION: int
IMWRITE_PNG_FAST_FILTERS: int
IMWRITE_PNG_FILTER: int
IMWRITE_PNG_FILTER_AVG: int
IMWRITE_PNG_FILTER_NONE: int
IMWRITE_PNG_FILTER_PAETH: int
IMWRITE_PNG_FILTER_SUB: int
IMWRITE_PNG_FILTER_UP: int
IMWRITE_PNG_STRATEGY: int
IMWRITE_PNG_STRATEGY_DEFAULT: int
IMWRITE_PNG_STRATEGY_FILTERED: int
IMWRITE_PNG_STRATEGY_FIXED: int
IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY: int
IMWRITE_PNG_STRATEGY_RLE: int
IMWRITE_PNG_ZLIBBUFFER_SIZE: int
IMWRITE_PXM_BINARY: int
IMWRITE_TIFF_COMPRESSION: int
IMWRITE_TIFF_COMPRESSION_ADOBE_DEFLATE: int
IMWRITE_TIFF_COMPRESSION_CCITTFAX3: int
IMWRITE_TIFF_COMPRESSION_CCITTFAX4: int
IMWRITE_TIFF_COMPRESSION_CCITTRLE: int
IMWRITE_TIFF_COMPRESSION_CCITTRLEW: int
IMWRITE_TIFF_COMPRESSION_CCITT_T4: int
IMWRITE_TIFF_COMPRESSION_CCITT_T6: int
IMWRITE_TIFF_COMPRESSION_DCS: int
IMWRITE_TIFF_COMPRESSION_DEFLATE: int
IMWRITE_TIFF_COMPRESSION_IT8BL: int
IMWRITE_TIFF_COMPRESSION_IT8CTPAD: int
IMWRITE_TIFF_COMPRESSION_IT8LW: int
IMWRITE_TIFF_COMPRESSION_IT8MP: int
IMWRITE_TIFF_COMPRESSION_JBIG: int
IMWRITE_TIFF_COMPRESSION_JP2000: int
IMWRITE_TIFF_COMPRESSION_JPEG: int
IMWRITE_TIFF_COMPRESSION_JXL: int
IMWRITE_TIFF_COMPRESSION_LERC: int
IMWRITE_TIFF_COMPRESSION_LZMA: int
IMWRITE_TIFF_COMPRESSION_LZW: int
IMWRITE_TIFF_COMPRESSION_NEXT: int
IMWRITE_TIFF_COMPRESSION_NONE: int
IMWRITE_TIFF_COMPRESSION_OJPEG: int
IMWRITE_TIFF_COMPRESSION_PACKBITS: int
IMWRITE_TIFF_COMPRESSION_PIXARFILM: int
IMWRITE_TIFF_COMPRESSION_PIXARLOG: int
IMWRITE_TIFF_COMPRESSION_SGILOG: int
IMWRITE_TIFF_COMPRESSION_SGILOG24: int
IMWRITE_TIFF_COMPRESSION_T43: int
IMWRITE_TIFF_COMPRESSION_T85: int
IMWRITE_TIFF_COMPRESSION_THUNDERSCAN: int
IMWRITE_TIFF_COMPRESSION_WEBP: int
IMWRITE_TIFF_COMPRESSION_ZSTD: int
IMWRITE_TIFF_PREDICTOR: int
IMWRITE_TIFF_PREDICTOR_FLOATINGPOINT: int
IMWRITE_TIFF_PREDICTOR_HORIZONTAL: int
IMWRITE_TIFF_PREDICTOR_NONE: int
IMWRITE_TIFF_RESOLUTION_UNIT_CENTIMETER: int
IMWRITE_TIFF_RESOLUTION_UNIT_INCH: int
IMWRITE_TIFF_RESOLUTION_UNIT_NONE: int
IMWRITE_TIFF_RESUNIT: int
IMWRITE_TIFF_ROWSPERSTRIP: int
IMWRITE_TIFF_XDPI: int
IMWRITE_TIFF_YDPI: int
IMWRITE_WEBP_QUALITY: int
