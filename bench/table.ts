export interface Row {
	target: string;
	what: string;
	node: string;
	baseline: string;
	ratio: string;
	goal: string;
	/** Undefined for a row that only reports. */
	met?: boolean;
}

const HEAD = ['Target', 'Measure', 'Node', 'Naive baseline', 'Ratio', 'Target value', 'Met'];

/** A Markdown table, readable as it is in a terminal. */
export function renderTable(rows: Row[]): string {
	const cells = rows.map((r) => [
		r.target,
		r.what,
		r.node,
		r.baseline || '–',
		r.ratio || '–',
		r.goal,
		r.met === undefined ? '–' : r.met ? 'yes' : 'NO',
	]);
	const escape = (cell: string) => cell.replace(/\|/g, '\\|');
	const line = (row: string[]) => `| ${row.map(escape).join(' | ')} |`;
	return [line(HEAD), line(HEAD.map(() => '---')), ...cells.map(line)].join('\n');
}
