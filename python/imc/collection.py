"""imc.ImageCollection: the pages of a file read on demand, as OpenCV's
cv::ImageCollection (4.5.5+, C++ only in cv2)."""
import mmap

from . import _imc


def _mapped(filename):
    """The file's bytes, mapped rather than read where the file allows it:
    a page costs its own decoding, not a copy of the whole file."""
    try:
        with open(filename, "rb") as f:
            try:
                return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except (ValueError, OSError):  # empty, or not a regular file
                return f.read()
    except OSError as e:
        raise _imc.error(_imc.ERR_IO, f"cannot read {filename!r}: {e.strerror}") from None


class ImageCollection:
    """The pages (or frames) of a multi-page file, each decoded the first
    time it is asked for, then kept until releaseCache(i).

    As cv::ImageCollection(filename, flags): construction reads the page
    count only (imc.error for a file no codec reads); size() and at(i), at()
    taking 0 <= i < size(); releaseCache(i); pages decoded with `flags`,
    oriented as imreadmulti orients them, None for a page that fails (cv2's
    empty Mat). And as a Python sequence: len(), coll[i] (negative i counting
    from the end), iteration in page order.

    A page is found by walking the file's directories from the first, which
    reads no pixels; newest cv2 decodes with BGR order even for
    IMREAD_COLOR_RGB here, imc gives RGB as imreadmulti does."""

    def __init__(self, filename=None, flags=_imc.IMREAD_ANYCOLOR):
        self._data, self._flags, self._pages = None, flags, []
        if filename is not None:
            self.init(filename, flags)

    def init(self, filename, flags=_imc.IMREAD_ANYCOLOR):
        """Opens another file (cv::ImageCollection::init); the cache is emptied."""
        data = _mapped(filename)
        count = _imc._count(data)  # raises for data no codec reads
        self._data, self._flags, self._pages = data, flags, [None] * count

    def size(self):
        return len(self._pages)

    def __len__(self):
        return len(self._pages)

    def _check(self, index):
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError(f"page indices are ints, not {type(index).__name__}")
        if not 0 <= index < len(self._pages):
            raise IndexError(f"page {index} of a collection of {len(self._pages)}")

    def at(self, index):
        """Page `index`, 0 <= index < size(), decoded on first use."""
        self._check(index)
        if self._pages[index] is None:
            pages = _imc._decode_multi(self._data, self._flags, index, 1, False)
            self._pages[index] = pages[0] if pages else None
        return self._pages[index]

    def __getitem__(self, index):
        if isinstance(index, int) and not isinstance(index, bool) and index < 0:
            index += len(self._pages)
        return self.at(index)

    def __iter__(self):
        for i in range(len(self._pages)):
            yield self.at(i)

    def releaseCache(self, index):
        """Forgets page `index`: the next at(index) decodes it again."""
        self._check(index)
        self._pages[index] = None

    def __repr__(self):
        kept = sum(p is not None for p in self._pages)
        return f"ImageCollection({len(self._pages)} pages, {kept} decoded, flags={self._flags})"
