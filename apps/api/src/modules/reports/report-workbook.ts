/** One table of a report: a header of column names and its rows. */
export interface ReportTable {
  header: string[];
  rows: Array<Array<string | number | null>>;
}

/** The sheet names of the tables (Excel allows 31 characters, no `/ \ ? * [ ]`). */
const SHEET_NAMES: Record<string, string> = {
  series: 'Par période',
  byChannel: 'Par canal',
  byTeam: 'Par service',
  byTeamSeries: 'Par service et période',
  byRequestType: 'Par démarche',
  distribution: 'Répartition des notes',
  comments: 'Commentaires',
  backlog: 'Ouvertes en fin de période',
  backlogSeries: 'En cours par période',
  backlogByTeamSeries: 'En cours par service et période',
  comparison: 'Période précédente',
  overdue: 'En retard à ce jour',
};

/** Columns holding a share (0–1): shown as percentages, kept as numbers. */
const isShare = (column: string) => /^(taux|part)_/.test(column);

/**
 * Every table of a report as one XLSX workbook: a first sheet saying what the report is (its
 * period and filters), then one sheet per table with typed cells (numbers stay numbers, shares
 * are formatted as percentages), a bold frozen header and widths fitted to the contents.
 */
export async function reportWorkbook(about: Array<[string, string]>, tables: Record<string, ReportTable>): Promise<Buffer> {
  // Loaded on the first export: exceljs is large, and nothing else needs it at start-up.
  const { Workbook } = require('exceljs') as typeof import('exceljs');
  const wb = new Workbook();
  wb.creator = 'Guichet';
  const cover = wb.addWorksheet('Rapport');
  for (const [label, value] of about) cover.addRow([label, value]);
  cover.getColumn(1).font = { bold: true };
  cover.getColumn(1).width = 22;
  cover.getColumn(2).width = 48;
  for (const [name, table] of Object.entries(tables)) {
    const ws = wb.addWorksheet(SHEET_NAMES[name] ?? name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(table.header).font = { bold: true };
    for (const row of table.rows) ws.addRow(row.map((v) => (v === null ? null : v)));
    table.header.forEach((column, i) => {
      const col = ws.getColumn(i + 1);
      const longest = Math.max(column.length, ...table.rows.map((r) => String(r[i] ?? '').length));
      col.width = Math.min(80, Math.max(10, longest + 2));
      if (isShare(column)) col.numFmt = '0.0 %';
      if (column === 'commentaire') col.alignment = { wrapText: true, vertical: 'top' };
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
