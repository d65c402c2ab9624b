"""RapidOCR (onnxruntime) as a perfaudit `OcrEngine`.

rapidocr-onnxruntime ships PP-OCRv4 Chinese detection and recognition models and the
v2 direction classifier inside its wheel (about 16 MB of .onnx files under
rapidocr_onnxruntime/models), so recognition never touches the network. It is imported
only when a page is actually OCR'd.
"""

from __future__ import annotations

from pipeline.ingest.ocr.box import OcrBox

# The library shrinks images whose longer side exceeds this (pixels); an A4 page at 300
# dpi is 3508 px high, so allow that much or the render resolution would not matter.
MAX_SIDE = 3600
# Boxes the recogniser scores below this are dropped by the library itself; we keep them
# (down to this) so that doubtful text shows up as low confidence rather than vanishing.
MIN_BOX_SCORE = 0.3
# Share of a box's height added to its left and right before recognition.
WIDEN = 0.25


class RapidOcrEngine:
    def __init__(self, threads: int | None = None) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self.name = engine_id()
        extra = {"intra_op_num_threads": threads} if threads else {}  # onnxruntime's own threads
        self._ocr = RapidOCR(max_side_len=MAX_SIDE, text_score=MIN_BOX_SCORE, print_verbose=False, **extra)

    def recognise(self, image, walls=()) -> list[OcrBox]:
        """Detection, then recognition with per-character scores. The steps of
        RapidOCR.__call__ are run one by one (pinned version) so that the recogniser's
        frame probabilities can be decoded with deletion scores (`ocr_ctc`). `walls`:
        vertical table rules (x, top, bottom) in image pixels that no box may cross."""
        ocr = self._ocr
        raw_h, raw_w = image.shape[:2]
        img, ratio_h, ratio_w = ocr.preprocess(image)
        img, record = ocr.maybe_add_letterbox(img, {"preprocess": {"ratio_h": ratio_h, "ratio_w": ratio_w}})
        boxes, _ = ocr.auto_text_det(img)
        if boxes is None or len(boxes) == 0:
            return []
        scaled = [(x / ratio_w, top / ratio_h, bottom / ratio_h) for x, top, bottom in walls]
        boxes = widen(boxes, img.shape[1], scaled)
        # Pages are upright after deskew: the 180-degree direction classifier is skipped.
        texts = self.read_lines(ocr.get_crop_img_list(img, boxes))
        quads = ocr._get_origin_points(boxes, record, raw_h, raw_w)
        return [_box(q, text, chars) for q, (text, chars) in zip(quads, texts, strict=True)
                if text.strip() and sum(chars) / len(chars) >= MIN_BOX_SCORE]

    def read_lines(self, crops) -> list[tuple[str, list[float]]]:
        """Recognise line images in batches of similar width (as the library does), decoding
        each with `ocr_ctc.ctc_decode` so that dropped characters lower the confidence."""
        import numpy as np

        from pipeline.ingest.ocr.ctc import ctc_decode

        rec = self._ocr.text_rec
        charset = rec.postprocess_op.character
        _, height, width = rec.rec_image_shape
        order = np.argsort([c.shape[1] / c.shape[0] for c in crops])
        out: list = [None] * len(crops)
        for start in range(0, len(crops), rec.rec_batch_num):
            batch = order[start:start + rec.rec_batch_num]
            ratio = max([width / height] + [crops[i].shape[1] / crops[i].shape[0] for i in batch])
            images = np.concatenate([rec.resize_norm_img(crops[i], ratio)[np.newaxis] for i in batch])
            for i, probs in zip(batch, rec.session(images.astype(np.float32))[0], strict=True):
                out[i] = ctc_decode(probs, charset)
        return out


def widen(boxes, width: int, walls=()):
    """Detection boxes hug the ink and can cut off a small mark at a line's end, such as
    the decimal point of a number wrapped just before it (".0738亿元" read as "0738亿元");
    pad every box left and right by WIDEN of its height, but never across a wall (a
    table rule): a box that crosses one is split there, so a cell's text stays its own."""
    import numpy as np

    from pipeline.ingest.ocr.tables import WALL_MARGIN_PX, split_at_walls

    out = []
    spans = [_span(quad) for quad in boxes]
    for k, quad in enumerate(boxes):
        q = np.array(quad, dtype=np.float32)
        height = float(np.linalg.norm(q[3] - q[0]))
        pieces = split_at_walls(q.tolist(), walls, height) if walls else [q]
        if len(pieces) > 1:  # a piece that another detected box already holds is read there
            pieces = [pc for pc in pieces if not any(j != k and _covered(_span(pc), spans[j]) for j in range(len(spans)))]
        for piece in pieces:
            q = np.array(piece, dtype=np.float32)
            pad = WIDEN * height
            lo = np.maximum(q[[0, 3], 0] - pad, 0)
            hi = np.minimum(q[[1, 2], 0] + pad, width - 1)
            mid = float(q[:, 1].mean())
            for x, top, bottom in walls:
                if top <= mid <= bottom:
                    if x <= q[0, 0]:
                        lo = np.maximum(lo, min(x + WALL_MARGIN_PX, float(q[0, 0])))
                    if x >= q[1, 0]:
                        hi = np.minimum(hi, max(x - WALL_MARGIN_PX, float(q[1, 0])))
            q[[0, 3], 0], q[[1, 2], 0] = lo, hi
            out.append(q)
    return out


def _span(quad) -> tuple[float, float, float, float]:
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return min(xs), min(ys), max(xs), max(ys)


def _covered(piece, other, share: float = 0.5) -> bool:
    """At least `share` of the piece's area lies inside the other box (a detector that
    boxed a line across a cell rule and also the next cell's text on its own: the piece
    beyond the rule would be read twice, "12" as "1" + "12")."""
    w = min(piece[2], other[2]) - max(piece[0], other[0])
    h = min(piece[3], other[3]) - max(piece[1], other[1])
    area = (piece[2] - piece[0]) * (piece[3] - piece[1])
    return w > 0 and h > 0 and area > 0 and w * h >= share * area


def _box(quad, text: str, chars: list[float]) -> OcrBox:
    return OcrBox(
        text=text,
        quad=tuple((round(float(x), 1), round(float(y), 1)) for x, y in quad),
        confidence=round(sum(chars) / len(chars), 4),
        char_conf=tuple(round(float(c), 4) for c in chars),
    )


def engine_id() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"rapidocr-onnxruntime {version('rapidocr-onnxruntime')} PP-OCRv4"
    except PackageNotFoundError:
        return "rapidocr-onnxruntime (not installed)"
