"""Tables as downloads for staff: CSV (UTF-8 with a BOM, so Excel keeps Arabic) or an XLSX workbook."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(rows: Iterable[Sequence[Any]], *, name: str, fmt: str, sheet: str) -> HttpResponse:
    """The rows (the first one the header) as ``name.csv`` or ``name.xlsx``, ``fmt`` being "csv" or "xlsx"."""
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel opens UTF-8 with a BOM as UTF-8, so Arabic names survive
        csv.writer(buffer).writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        worksheet = book.create_sheet(title=sheet[:31])  # Excel's limit for a sheet's name
        for row in rows:
            worksheet.append(list(row))
        data = io.BytesIO()
        book.save(data)
        response = HttpResponse(data.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
