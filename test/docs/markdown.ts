/** Reading Markdown as GitHub renders it: heading anchors and the links a reader can follow. */

/** Lines outside fenced code blocks, with their 1-based line numbers. */
function proseLines(markdown: string): Array<{ line: number; text: string }> {
	const lines: Array<{ line: number; text: string }> = [];
	let inFence = false;
	markdown.split('\n').forEach((text, i) => {
		if (/^\s*(```|~~~)/.test(text)) {
			inFence = !inFence;
			return;
		}
		if (!inFence) lines.push({ line: i + 1, text });
	});
	return lines;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	for (const { text: line } of proseLines(markdown)) {
		const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
		if (heading) {
			const text = heading[1].replace(/<[^>]+>/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
			const slug = text
				.toLowerCase()
				.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
				.replace(/ /g, '-');
			const count = seen.get(slug) ?? 0;
			seen.set(slug, count + 1);
			anchors.add(count === 0 ? slug : `${slug}-${count}`);
		}
		for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
	}
	return anchors;
}

export interface Link {
	line: number;
	/** As written: `docs/x.md#part`, `#part`, `examples/`. */
	target: string;
}

/**
 * The links of a page that stay inside the repository: inline links and images, reference
 * definitions and HTML `href`/`src`. Web addresses (any scheme) are left out; so is code.
 */
export function relativeLinks(markdown: string): Link[] {
	const links: Link[] = [];
	for (const { line, text } of proseLines(markdown)) {
		// Inline code is not a link, but a link's text may be code: blank out what code spans hold.
		const prose = text.replace(/`[^`]*`/g, (code) => 'x'.repeat(code.length));
		const targets = [
			...[...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
			...[...prose.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g)].map((m) => m[1]),
			...[...prose.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((m) => m[1]),
		];
		for (const target of targets) {
			if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
			links.push({ line, target });
		}
	}
	return links;
}
