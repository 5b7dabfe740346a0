"""模型文件 — saving and loading a collusion model: one zip of JSON and numpy arrays, no pickle.

`model.json` holds the format version, the feature list, the logistic part, what the model keeps
of each training market and the training report; `trees.npz` holds the tree arrays (loaded with
`allow_pickle=False`). `unzip -p MODEL report.json` shows the report alone.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ggzy.supervision.collusion.features import FEATURES
from ggzy.supervision.collusion.model import CollusionModel, Market
from ggzy.supervision.collusion.trees import TreeEnsemble

FORMAT = "ggzy-collusion-model/1"


class ModelFileError(ValueError):
    """A model file that is not ours, is damaged, or was made for other features."""


def save_model(model: CollusionModel, path: Path) -> None:
    meta = {
        "format": FORMAT,
        "features": list(FEATURES),
        "general": {"coef": model.coef.tolist(), "intercept": model.intercept},
        "trees": {"init": model.trees.init, "depth": model.trees.depth},
        "markets": [
            {"name": m.name, "tenders": m.tenders, "collusive_share": m.collusive_share, "quantiles": m.quantiles}
            for m in model.markets
        ],
    }
    arrays = io.BytesIO()
    np.savez_compressed(arrays, allow_pickle=False, **model.trees.arrays())
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("model.json", json.dumps(meta, ensure_ascii=False, indent=1))
        z.writestr("report.json", json.dumps(model.report, ensure_ascii=False, indent=2))
        z.writestr("trees.npz", arrays.getvalue())


def _read(path: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, NDArray[Any]]]:
    try:
        with zipfile.ZipFile(path) as z:
            meta = json.loads(z.read("model.json"))
            report = json.loads(z.read("report.json"))
            with np.load(io.BytesIO(z.read("trees.npz")), allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise ModelFileError(f"不是有效的串标模型文件：{path.name} (not a collusion model file: {e})") from e
    return meta, report, arrays


def load_model(path: Path) -> CollusionModel:
    meta, report, arrays = _read(path)
    if meta.get("format") != FORMAT:
        raise ModelFileError(f"模型格式 {meta.get('format')!r} 不受支持，需要 {FORMAT} (unsupported model format)")
    if meta.get("features") != list(FEATURES):
        raise ModelFileError("模型的特征与本版本不一致，请重新训练 (model features differ from this version: retrain)")
    trees = TreeEnsemble(
        roots=arrays["roots"].astype(np.int64),
        left=arrays["left"].astype(np.int64),
        right=arrays["right"].astype(np.int64),
        feature=arrays["feature"].astype(np.int64),
        threshold=arrays["threshold"].astype(np.float64),
        value=arrays["value"].astype(np.float64),
        init=float(meta["trees"]["init"]),
        depth=int(meta["trees"]["depth"]),
    )
    markets = [
        Market(m["name"], int(m["tenders"]), float(m["collusive_share"]), m["quantiles"]) for m in meta["markets"]
    ]
    return CollusionModel(
        coef=np.asarray(meta["general"]["coef"], dtype=np.float64),
        intercept=float(meta["general"]["intercept"]),
        trees=trees,
        markets=markets,
        report=report,
    )
