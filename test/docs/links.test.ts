/**
 * Every relative link and #anchor in README.md and docs/ leads somewhere: the file exists, and the
 * heading the anchor names exists in it. The README moved most of its text into docs/ pages; this
 * keeps the links between them whole as they change.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import { headingAnchors, relativeLinks } from './markdown';

const ROOT = join(__dirname, '..', '..');

/** Broken links of the given pages, as `page:line → target (why)`; empty when all resolve. */
function brokenLinks(root: string, pages: string[]): string[] {
	const read = (file: string) => readFileSync(file, 'utf8');
	const broken: string[] = [];
	for (const page of pages) {
		const file = join(root, page);
		for (const { line, target } of relativeLinks(read(file))) {
			const [path, anchor] = target.split('#');
			const to = path === '' ? file : resolve(dirname(file), decodeURI(path));
			const where = `${page}:${line} → ${target}`;
			if (!to.startsWith(root) || !existsSync(to)) {
				broken.push(`${where} (no ${relative(root, to) || to})`);
			} else if (anchor !== undefined) {
				if (statSync(to).isDirectory() || !to.endsWith('.md')) {
					broken.push(`${where} (an anchor into a file that is not Markdown)`);
				} else if (!headingAnchors(read(to)).has(anchor)) {
					broken.push(`${where} (no heading #${anchor} in ${relative(root, to)})`);
				}
			}
		}
	}
	return broken;
}

const docsPages = readdirSync(join(ROOT, 'docs'))
	.filter((name) => name.endsWith('.md'))
	.map((name) => `docs/${name}`);

test('README.md and every page in docs/ link only to files and headings that exist', () => {
	expect(docsPages.length).toBeGreaterThanOrEqual(6);
	const pages = ['README.md', ...docsPages];
	const checked = pages.flatMap((page) =>
		relativeLinks(readFileSync(join(ROOT, page), 'utf8')),
	).length;
	expect(checked).toBeGreaterThan(30);
	expect(brokenLinks(ROOT, pages)).toEqual([]);
});

test('the README links to every page in docs/', () => {
	const linked = new Set(
		relativeLinks(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((l) => l.target.split('#')[0]),
	);
	for (const page of docsPages)
		expect({ page, linked: linked.has(page) }).toEqual({ page, linked: true });
});

describe('the checks of this file', () => {
	it('reads links, skipping web addresses and code', () => {
		const page = [
			'See [a](docs/a.md#part), [b](#top), ![img](docs/x.png) and [web](https://example.com).',
			'[`examples/`](examples/) and `[not](a-link.md)`',
			'```',
			'[also not](in-a-fence.md)',
			'```',
			'[ref]: docs/ref.md',
		].join('\n');
		expect(relativeLinks(page)).toEqual([
			{ line: 1, target: 'docs/a.md#part' },
			{ line: 1, target: '#top' },
			{ line: 1, target: 'docs/x.png' },
			{ line: 2, target: 'examples/' },
			{ line: 6, target: 'docs/ref.md' },
		]);
	});

	it('finds the anchors GitHub gives headings', () => {
		const anchors = headingAnchors(
			'# n8n-nodes-octopusx\n## Operations\n```\n# not a heading\n```\n## Usage & examples\n## Operations\n',
		);
		expect([...anchors]).toEqual([
			'n8n-nodes-octopusx',
			'operations',
			'usage--examples',
			'operations-1',
		]);
	});

	it('reports a missing file, a missing heading and an anchor into a folder', () => {
		const broken = brokenLinks(ROOT, ['test/docs/fixtures/broken.md']);
		expect(broken).toEqual([
			expect.stringMatching(/:3 → \.\.\/nowhere\.md \(no /),
			expect.stringMatching(/:4 → #no-such-heading \(no heading #no-such-heading/),
			expect.stringMatching(/:5 → \.\.\/\.\.\/\.\.\/README\.md#no-such-part \(no heading/),
			expect.stringMatching(
				/:6 → \.\.\/\.\.\/\.\.\/docs\/#x \(an anchor into a file that is not Markdown\)/,
			),
		]);
	});
});
