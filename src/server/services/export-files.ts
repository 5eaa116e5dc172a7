/**
 * Spreadsheet files of the console's exports: CSV (UTF-8 with a byte-order mark, RFC 4180, cells
 * a spreadsheet would run as a formula kept as text), streamed page by page, and XLSX with a bold,
 * frozen header row, streamed too. Rows arrive as pages from an async source, so a long period is
 * never held whole.
 */
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';

export type Cell = string | number;

export interface Column {
  header: string;
  /** Width in characters (a Chinese character counts about two). */
  width: number;
}

/** One sheet (or the whole CSV): its columns and its rows, page by page. */
export interface Sheet {
  name: string;
  columns: readonly Column[];
  pages: () => AsyncIterable<Cell[][]>;
}

/** Rows of one XLSX sheet at most: the format's 1,048,576 less the header. */
export const MAX_XLSX_ROWS = 1_048_575;

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Lines of CSV text, each ending in CRLF; a leading = + - @ tab or CR is defused with a '. */
export function csvLines(rows: readonly (readonly Cell[])[]): string {
  if (rows.length === 0) return '';
  return Papa.unparse(rows as Cell[][], { escapeFormulae: true, newline: '\r\n' }) + '\r\n';
}

/** A sheet as a CSV stream: the BOM and header first, then one chunk per page of rows. */
export function csvStream(sheet: Sheet): Readable {
  async function* chunks(): AsyncGenerator<string> {
    yield '\uFEFF' + csvLines([sheet.columns.map((c) => c.header)]);
    for await (const page of sheet.pages()) {
      if (page.length > 0) yield csvLines(page);
    }
  }
  return Readable.from(chunks());
}

/**
 * A workbook of the sheets, one worksheet each, as an .xlsx stream. Rows are written and let go
 * page by page (exceljs's streaming writer), so a large sheet is not held whole in memory.
 */
export function xlsxStream(sheets: readonly Sheet[]): Readable {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'hall-kiosk';
  void (async () => {
    for (const sheet of sheets) {
      const ws = workbook.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
      ws.columns = sheet.columns.map((c) => ({ header: c.header, width: c.width }));
      const header = ws.getRow(1);
      header.font = { bold: true };
      header.commit();
      for await (const page of sheet.pages()) {
        for (const values of page) {
          const row = ws.addRow(values);
          // Cells holding several lines (a history, a ledger) wrap instead of spilling over.
          values.forEach((value, i) => {
            if (typeof value === 'string' && value.includes('\n')) {
              row.getCell(i + 1).alignment = { wrapText: true, vertical: 'top' };
            }
          });
          row.commit();
        }
      }
      ws.commit();
    }
    await workbook.commit();
  })().catch((error: unknown) =>
    out.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return out;
}

/** Pages of rows from an array already in memory. */
export function pagesOf(rows: readonly Cell[][], size = 5000): () => AsyncIterable<Cell[][]> {
  return async function* () {
    for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
  };
}
