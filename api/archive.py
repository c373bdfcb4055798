"""Archive scoring on Ray Data: `otklik classify-archive INPUT -o OUTPUT`.

The input (Parquet, CSV or JSONL; one file or a folder of parts) is cut into parts of
`part_rows` rows. An actor pool (`map_batches`, one loaded model per actor) reads and
classifies the parts, and the driver writes each part as soon as all its
rows are back: ``OUTPUT/part-FFFF-PPPPP.parquet`` (the input's columns as text plus the columns of
`otklik classify`) beside ``part-….rejects.jsonl`` (rows that could not be classified, with the
reason). A part's Parquet file appears by rename after its rejects, so a part on disk is finished:
a rerun after a crash skips it. ``OUTPUT/rejects.jsonl`` gathers the rejects of every part.

Model files are read by path on each worker: on a cluster the same model directory must exist
at the same path on every node (README, «Архив на кластере Ray»).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from nlp.tables import read_rows, read_rows_slice, row_count

FORMATS = (".parquet", ".csv", ".jsonl")
MANIFEST = "_archive.json"
REJECTS = "rejects.jsonl"
PREDICTION_TYPES = {
    "topic": "str", "topic_name": "str", "topic_score": "float", "sentiment": "str",
    "sentiment_score": "float", "type": "str", "type_score": "float", "aspects": "list",
    "urgency": "str", "urgency_score": "float", "region": "str", "region_code": "str",
    "language": "str", "masked_text": "str",
}  # fmt: skip


class ArchiveError(ValueError):
    """A problem with the archive, its output folder or the cluster; the message is Russian."""


@dataclass(frozen=True)
class Part:
    number: int  # position in the plan
    path: str
    file_index: int
    chunk: int
    start: int  # first row of the file (0-based, in reading order)
    stop: int

    @property
    def name(self) -> str:
        return f"part-{self.file_index:04d}-{self.chunk:05d}"


def input_files(path: Path) -> list[Path]:
    """`path` itself, or the Parquet/CSV/JSONL files of the folder `path` in name order."""
    if not path.exists():
        raise ArchiveError(f"Не найден вход: {path}")
    if path.is_file():
        if path.suffix.lower() not in FORMATS:
            raise ArchiveError(
                f"Неподдерживаемый формат «{path.name}»: нужен Parquet, CSV или JSONL"
            )
        return [path]
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FORMATS)
    if not files:
        raise ArchiveError(f"В каталоге {path} нет файлов Parquet, CSV или JSONL")
    return files


def count_rows(path: Path) -> int:
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    return row_count(path)


def check_text_column(path: Path, text_col: str) -> None:
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        columns = pq.ParquetFile(path).schema_arrow.names
    else:
        first = next((row for _, row, _ in read_rows(path) if row is not None), None)
        if first is None:
            return  # no readable row: every row goes to the rejects
        columns = list(first)
    if text_col not in columns:
        raise ArchiveError(
            f"В файле {path.name} нет столбца «{text_col}» (есть: {', '.join(map(str, columns))});"
            " укажите его через --text-col"
        )


def plan_parts(files: list[Path], part_rows: int, text_col: str) -> list[Part]:
    parts: list[Part] = []
    for file_index, path in enumerate(files):
        check_text_column(path, text_col)
        total = count_rows(path)
        for chunk, start in enumerate(range(0, total, part_rows)):
            stop = min(start + part_rows, total)
            parts.append(Part(len(parts), str(path.resolve()), file_index, chunk, start, stop))
    return parts


Row = tuple[int, dict | None, str | None]  # (row number, row, error) as nlp.tables.read_rows


def _parquet_rows(path: str, start: int, stop: int) -> Iterator[Row]:
    """Rows start..stop of a Parquet file, reading only the row groups that hold them."""
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path)
    first = 0
    groups, offset = [], None
    for index in range(handle.metadata.num_row_groups):
        size = handle.metadata.row_group(index).num_rows
        if first + size > start and first < stop:
            groups.append(index)
            offset = start - first if offset is None else offset
        first += size
    if not groups:
        return
    table = handle.read_row_groups(groups).slice(offset, stop - start)
    for i, row in enumerate(table.to_pylist()):
        yield start + i + 1, row, None  # row numbers count from 1 as in the other formats


def read_part(part: Part) -> Iterator[Row]:
    if part.path.lower().endswith(".parquet"):
        yield from _parquet_rows(part.path, part.start, part.stop)
    else:
        yield from read_rows_slice(Path(part.path), part.start, part.stop)


def _as_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def part_records(part: Part, text_col: str) -> list[dict]:
    """One record per row of the part: the row (columns as text, JSON), its text, or the reason
    it cannot be classified."""
    out = []
    for number, row, error in read_part(part):
        record = {"part": part.number, "row": number, "data": "", "text": "", "error": ""}
        if row is None:
            record["error"] = error or "строка не читается"
        else:
            value = row.get(text_col)
            text = "" if value is None else str(value)
            if not text.strip():
                record["error"] = f"пустой текст (столбец «{text_col}»)"
            else:
                record["text"] = text
                data = {str(k): _as_text(v) for k, v in row.items()}
                record["data"] = json.dumps(data, ensure_ascii=False)
        out.append(record)
    return out


class ArchiveClassifier:
    """A Ray Data actor: loads the model once, then reads and classifies whole parts (reading in
    the actor spares Ray a reader process per part, which on a small machine takes the CPU the
    actors need; a whole part also gives the encoder long runs of texts to sort by length)."""

    def __init__(self, model_dir: str, text_col: str, threads: int = 1) -> None:
        import torch

        from api.cli_support import load_classifier

        # before loading: the encoder keeps torch's pool size. One actor per CPU, no
        # oversubscription (two 2-thread actors on 2 cores run at half one actor's speed)
        torch.set_num_threads(max(1, threads))
        self.classifier = load_classifier(Path(model_dir))
        self.text_col = text_col

    def __call__(self, batch: dict) -> dict:
        """`batch`: parts as columns (the fields of `Part`); returns their classified rows."""
        out: dict[str, list] = {"part": [], "row": [], "data": [], "error": [], "prediction": []}
        for i in range(len(batch["number"])):
            part = Part(
                number=int(batch["number"][i]), path=str(batch["path"][i]),
                file_index=int(batch["file_index"][i]), chunk=int(batch["chunk"][i]),
                start=int(batch["start"][i]), stop=int(batch["stop"][i]),
            )  # fmt: skip
            for record in self.classify(part_records(part, self.text_col)):
                for key, column in out.items():
                    column.append(record[key])
        return out

    def classify(self, records: list[dict]) -> list[dict]:
        from api.predictions import prediction_columns

        todo = [r for r in records if not r["error"]]
        try:
            results = self.classifier.classify([r["text"] for r in todo])
        except Exception:  # find the rows that broke the batch
            results = []
            for record in todo:
                try:
                    results.extend(self.classifier.classify([record["text"]]))
                except Exception as exc:
                    record["error"] = f"ошибка классификации ({type(exc).__name__}: {exc})"
                    results.append(None)
        for record in records:
            record["prediction"] = ""
        for record, result in zip(todo, results, strict=True):
            if result is not None:
                record["prediction"] = json.dumps(prediction_columns(result), ensure_ascii=False)
        return records


def _schema(columns: list[str]):
    import pyarrow as pa

    kinds = {"str": pa.string(), "float": pa.float64(), "list": pa.list_(pa.string())}
    fields = [pa.field(c, pa.string()) for c in columns if c not in PREDICTION_TYPES]
    fields += [pa.field(c, kinds[k]) for c, k in PREDICTION_TYPES.items()]
    return pa.schema(fields)


class PartWriter:
    """Writes finished parts into the output folder, each by an atomic rename."""

    def __init__(self, output: Path, parts: list[Part]) -> None:
        self.output = output
        self.parts = parts
        self.pending: dict[int, list[dict]] = {}
        self.columns: dict[int, list[str]] = {}

    def done(self, part: Part) -> bool:
        return (self.output / f"{part.name}.parquet").exists()

    def add(self, record: dict) -> Part | None:
        """Keep one classified record; returns the part it finished, if it did."""
        rows = self.pending.setdefault(record["part"], [])
        rows.append(record)
        part = self.parts[record["part"]]
        if len(rows) == part.stop - part.start:
            self.write(part, self.pending.pop(record["part"]))
            return part
        return None

    def write(self, part: Part, records: list[dict]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        records.sort(key=lambda r: r["row"])
        rows, rejects = [], []
        for r in records:
            if r["error"] or not r["prediction"]:
                reason = r["error"] or "нет результата классификации"
                rejects.append({"file": part.path, "row": r["row"], "reason": reason})
            else:
                rows.append({**json.loads(r["data"]), **json.loads(r["prediction"])})
        columns = list(dict.fromkeys(k for row in rows for k in row))
        table = pa.Table.from_pylist(rows, schema=_schema(columns))
        rejects_path = self.output / f"{part.name}.rejects.jsonl"
        tmp = self.output / f".{part.name}.rejects.tmp"
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rejects))
        os.replace(tmp, rejects_path)
        tmp = self.output / f".{part.name}.parquet.tmp"
        pq.write_table(table, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, self.output / f"{part.name}.parquet")


def fingerprint(files: list[Path], text_col: str, part_rows: int, model_dir: Path) -> dict:
    """What the output folder was made from: a rerun must match it to resume."""
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return {
        "inputs": digest.hexdigest(),
        "text_col": text_col,
        "part_rows": part_rows,
        "model": str(model_dir),
    }


def prepare_output(output: Path, manifest: dict) -> None:
    output.mkdir(parents=True, exist_ok=True)
    path = output / MANIFEST
    if path.exists():
        if json.loads(path.read_text()) != manifest:
            raise ArchiveError(
                f"Каталог {output} уже содержит результат другого задания (другой вход, столбец,"
                " размер части или модель): укажите другой -o или удалите каталог"
            )
    else:
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    for stale in output.glob(".part-*.tmp"):
        stale.unlink()


def gather_rejects(output: Path) -> int:
    lines = []
    for path in sorted(output.glob("part-*.rejects.jsonl")):
        lines.extend(line for line in path.read_text().splitlines() if line.strip())
    (output / REJECTS).write_text("".join(line + "\n" for line in lines))
    return len(lines)


def start_ray(address: str, workers: int | None):
    """Connect to a cluster (`ray://host:10001`, `auto`) or start Ray on this machine only."""
    import ray

    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # Ray reports nothing home: no network
    ray.data.DataContext.get_current().enable_progress_bars = False
    if ray.is_initialized():
        return ray
    if address == "local":
        ray.init(
            num_cpus=max(workers or 0, os.cpu_count() or 1),
            include_dashboard=False,
            _node_ip_address="127.0.0.1",
            log_to_driver=False,
            logging_level="WARNING",
            configure_logging=True,
        )
    else:
        try:
            ray.init(address=address, log_to_driver=False, logging_level="WARNING")
        except Exception as exc:
            raise ArchiveError(f"Не удалось подключиться к кластеру Ray {address}: {exc}") from exc
    return ray


@dataclass
class ArchiveResult:
    parts: int
    skipped_parts: int
    written_parts: int
    rows: int
    rejected: int
    workers: int

    def to_dict(self) -> dict:
        return asdict(self)


def classify_archive(
    source: Path,
    output: Path,
    model_dir: Path,
    *,
    address: str = "local",
    workers: int | None = None,
    text_col: str = "text",
    part_rows: int = 2000,
    on_part: Callable[[Part], None] | None = None,
) -> ArchiveResult:
    files = input_files(source)
    if output.resolve() in {f.resolve() for f in files} or output.resolve() == source.resolve():
        raise ArchiveError("Выходной каталог совпадает со входом: укажите другой через -o")
    parts = plan_parts(files, part_rows, text_col)
    prepare_output(output, fingerprint(files, text_col, part_rows, model_dir))
    writer = PartWriter(output, parts)
    todo = [p for p in parts if not writer.done(p)]
    workers_used = 0
    if todo:
        ray = start_ray(address, workers)
        workers_used = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        dataset = (
            ray.data.from_items([asdict(p) for p in todo], override_num_blocks=len(todo))
            .map_batches(
                ArchiveClassifier,
                fn_constructor_kwargs={
                    "model_dir": str(model_dir), "text_col": text_col, "threads": 1
                },
                batch_size=1,
                compute=ray.data.ActorPoolStrategy(size=workers_used),
                num_cpus=1,
                batch_format="numpy",
            )
        )
        for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
            for i in range(len(batch["part"])):
                record = {k: batch[k][i] for k in ("data", "error", "prediction")}
                record["part"], record["row"] = int(batch["part"][i]), int(batch["row"][i])
                finished = writer.add(record)
                if finished is not None and on_part is not None:
                    on_part(finished)
    rejected = gather_rejects(output)
    rows = 0
    import pyarrow.parquet as pq

    for path in output.glob("part-*.parquet"):
        rows += pq.ParquetFile(path).metadata.num_rows
    skipped = len(parts) - len(todo)
    return ArchiveResult(len(parts), skipped, len(todo), rows, rejected, workers_used)
