"""Reading bid tables: tender labels from bid labels, column matching, and clear refusals of bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ggzy.supervision.collusion.bids import (
    SKIP_BAD_BID,
    SKIP_FEW_BIDS,
    SKIP_NO_LABEL,
    BidFileError,
    describe_skipped,
    find_columns,
    read_bid_table,
    tender_label,
)


def test_a_tender_is_collusive_when_any_of_its_bids_is() -> None:
    assert tender_label(np.array([0.0, 0.0, 1.0, 0.0])) == 1
    assert tender_label(np.array([0.0, 0.0, 0.0])) == 0


def test_a_minimum_share_of_collusive_bids_can_be_required() -> None:
    labels = np.array([1.0, 0.0, 0.0, 0.0])  # one cartel member out of four
    assert tender_label(labels, min_share=0.25) == 1
    assert tender_label(labels, min_share=0.5) == 0


def test_a_tender_without_bids_has_no_label() -> None:
    with pytest.raises(ValueError, match="without bids"):
        tender_label(np.array([]))


def test_columns_are_found_whatever_their_case_spacing_or_alias() -> None:
    cols = find_columns(["tender_id", "BID VALUE", "label", "Pre-Tender Estimate (PTE)", "Difference Bid/PTE"])
    assert cols == {"tender": "tender_id", "bid": "BID VALUE", "label": "label", "pte": "Pre-Tender Estimate (PTE)"}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bids_are_grouped_into_tenders_in_file_order_with_labels_and_estimates(tmp_path: Path) -> None:
    f = write(
        tmp_path / "m.csv",
        "Tender,Bid_value,Collusive_competitor,Pre-Tender Estimate (PTE)\n"
        "B,10,1,20\nA,5,0,8\nB,11,0,20\nA,6,0,8\nB,12,0,20\nA,7,0,8\n",
    )
    table = read_bid_table(f, require_labels=True)
    assert table.tenders == ["B", "A"]
    assert table.bids[0].tolist() == [10.0, 11.0, 12.0]
    assert table.labels is not None and table.labels.tolist() == [1, 0]
    assert table.pte is not None and table.pte.tolist() == [20.0, 8.0]
    assert table.name == "m"


def test_tenders_with_fewer_than_three_bids_are_skipped_and_counted(tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", "Tender,Bid_value\n1,10\n1,11\n2,5\n2,6\n2,7\n3,9\n")
    table = read_bid_table(f)
    assert table.tenders == ["2"]
    assert table.skipped[SKIP_FEW_BIDS] == 2
    assert "跳过 2 个标段" in describe_skipped(table) and "fewer than 3 bids" in describe_skipped(table)


def test_a_tender_with_a_bid_that_is_not_a_positive_number_is_skipped_whole(tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", "Tender,Bid_value\n1,10\n1,abc\n1,12\n1,13\n2,5\n2,6\n2,7\n3,1\n3,-2\n3,4\n")
    table = read_bid_table(f)
    assert table.tenders == ["2"]
    assert table.skipped[SKIP_BAD_BID] == 2


def test_thousands_separators_are_read_as_numbers(tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", 'Tender,Bid_value\n1,"1,000.5"\n1,"1,100"\n1,1200\n')
    assert read_bid_table(f).bids[0].tolist() == [1000.5, 1100.0, 1200.0]


def test_tenders_without_any_label_are_skipped_when_the_file_has_labels(tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", "Tender,Bid_value,Collusive_competitor\n1,10,\n1,11,\n1,12,\n2,5,1\n2,6,\n2,7,1\n")
    table = read_bid_table(f, require_labels=True)
    assert table.tenders == ["2"] and table.skipped[SKIP_NO_LABEL] == 1


def test_a_training_file_without_labels_is_refused(tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", "Tender,Bid_value\n1,10\n1,11\n1,12\n")
    with pytest.raises(BidFileError, match="没有标签列") as e:
        read_bid_table(f, require_labels=True)
    assert "no label column" in str(e.value)


def test_labels_other_than_zero_and_one_are_refused(tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", "Tender,Bid_value,Collusive_competitor\n1,10,2\n1,11,0\n1,12,0\n")
    with pytest.raises(BidFileError, match="0 或 1"):
        read_bid_table(f, require_labels=True)


def test_a_file_without_the_required_columns_is_refused_naming_them(tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", "Project,Amount\n1,10\n")
    with pytest.raises(BidFileError, match="缺少必需的列：tender, bid") as e:
        read_bid_table(f)
    assert "missing required columns" in str(e.value)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BidFileError, match="文件为空"):
        read_bid_table(write(tmp_path / "m.csv", ""))


def test_a_file_with_a_header_and_no_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BidFileError, match="没有投标记录"):
        read_bid_table(write(tmp_path / "m.csv", "Tender,Bid_value\n"))


def test_a_subset_keeps_whole_tenders(tmp_path: Path) -> None:
    f = write(
        tmp_path / "m.csv",
        "Tender,Bid_value,Collusive_competitor\n"
        + "".join(f"{t},{v},{t % 2}\n" for t in range(6) for v in (10 + t, 11 + t, 13 + t)),
    )
    table = read_bid_table(f, require_labels=True)
    part = table.subset(np.array([4, 1]))
    assert part.tenders == ["4", "1"]
    assert [b.size for b in part.bids] == [3, 3]
    assert part.labels is not None and part.labels.tolist() == [0, 1]


def test_a_gbk_file_with_chinese_headers_is_read(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_bytes("标段编号,投标报价,串标\n甲,100,0\n甲,104,0\n甲,111,0\n".encode("gbk"))
    table = read_bid_table(f, require_labels=True)
    assert table.tenders == ["甲"] and table.bids[0].tolist() == [100.0, 104.0, 111.0]


def test_a_utf8_file_with_the_bom_excel_writes_is_read(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_bytes("Tender,Bid_value\n1,10\n1,11\n1,12\n".encode("utf-8-sig"))
    assert read_bid_table(f).tenders == ["1"]


def test_a_broken_csv_is_refused_with_a_short_message(tmp_path: Path) -> None:
    with pytest.raises(BidFileError, match="无法读取 CSV 文件") as e:
        read_bid_table(write(tmp_path / "m.csv", 'Tender,Bid_value\n1,"10\n'))
    assert "\n" not in str(e.value)
