"""RapidOCR (onnxruntime) as a perfaudit `OcrEngine`.

rapidocr-onnxruntime ships PP-OCRv4 Chinese detection and recognition models and the
v2 direction classifier inside its wheel (about 16 MB of .onnx files under
rapidocr_onnxruntime/models), so recognition never touches the network. It is imported
only when a page is actually OCR'd.
"""

from __future__ import annotations

from .ocr import OcrBox

# The library shrinks images whose longer side exceeds this (pixels); an A4 page at 300
# dpi is 3508 px high, so allow that much or the render resolution would not matter.
MAX_SIDE = 3600
# Boxes the recogniser scores below this are dropped by the library itself; we keep them
# (down to this) so that doubtful text shows up as low confidence rather than vanishing.
MIN_BOX_SCORE = 0.3
# Share of a box's height added to its left and right before recognition.
WIDEN = 0.25


class RapidOcrEngine:
    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self.name = engine_id()
        self._ocr = RapidOCR(max_side_len=MAX_SIDE, text_score=MIN_BOX_SCORE, print_verbose=False)

    def recognise(self, image) -> list[OcrBox]:
        """Detection, then recognition with per-character scores. The steps of
        RapidOCR.__call__ are run one by one (pinned version) so that the recogniser's
        character scores are kept without its slow per-character box geometry."""
        ocr = self._ocr
        raw_h, raw_w = image.shape[:2]
        img, ratio_h, ratio_w = ocr.preprocess(image)
        img, record = ocr.maybe_add_letterbox(img, {"preprocess": {"ratio_h": ratio_h, "ratio_w": ratio_w}})
        boxes, _ = ocr.auto_text_det(img)
        if boxes is None or len(boxes) == 0:
            return []
        boxes = widen(boxes, img.shape[1])
        # Pages are upright after deskew: the 180-degree direction classifier is skipped.
        texts, _ = ocr.text_rec(ocr.get_crop_img_list(img, boxes), True)
        quads = ocr._get_origin_points(boxes, record, raw_h, raw_w)
        return [_box(q, *t) for q, t in zip(quads, texts, strict=True)
                if t[0].strip() and float(t[1]) >= MIN_BOX_SCORE]


def widen(boxes, width: int):
    """Detection boxes hug the ink and can cut off a small mark at a line's end, such as
    the decimal point of a number wrapped just before it (".0738亿元" read as "0738亿元");
    pad every box left and right by WIDEN of its height."""
    import numpy as np

    out = []
    for quad in boxes:
        q = np.array(quad, dtype=np.float32)
        pad = WIDEN * float(np.linalg.norm(q[3] - q[0]))
        q[[0, 3], 0] = np.maximum(q[[0, 3], 0] - pad, 0)
        q[[1, 2], 0] = np.minimum(q[[1, 2], 0] + pad, width - 1)
        out.append(q)
    return out


def _box(quad, text: str, score: float, word_info=None) -> OcrBox:
    chars = word_info[4] if word_info and len(word_info) > 4 else None
    if not chars or len(chars) != len(text):
        chars = [score] * len(text)
    return OcrBox(
        text=text,
        quad=tuple((round(float(x), 1), round(float(y), 1)) for x, y in quad),
        confidence=round(float(score), 4),
        char_conf=tuple(round(float(c), 4) for c in chars),
    )


def engine_id() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"rapidocr-onnxruntime {version('rapidocr-onnxruntime')} PP-OCRv4"
    except PackageNotFoundError:
        return "rapidocr-onnxruntime (not installed)"
