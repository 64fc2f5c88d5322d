/**
 * What the editor panel shows, worked out by n8n's own NodeHelpers from the built node's description:
 * which fields a node, a saved version-1 node and an AI Agent's tool show, the defaults n8n fills
 * in, and the wording n8n's guidelines ask for (sorted options, actions without articles).
 */
import {
	NodeHelpers,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { loadPackage, NODE_TYPE } from './harness';

async function describe_(version: number): Promise<INodeTypeDescription> {
	return (await loadPackage()).nodeTypes.getByNameAndVersion(NODE_TYPE, version).description;
}

/** n8n registers every usableAsTool node a second time as `<name>Tool`; `@tool` tests that name. */
const asTool = (d: INodeTypeDescription) => ({ ...d, name: `${d.name}Tool` });

function nodeOf(parameters: INodeParameters, typeVersion: number): INode {
	return { name: 'OctopusX', type: NODE_TYPE, typeVersion, parameters } as INode;
}

/** The parameters with n8n's defaults filled in, as the editor sets them on a new node. */
function withDefaults(d: INodeTypeDescription, set: INodeParameters, typeVersion: number) {
	return NodeHelpers.getNodeParameters(
		d.properties,
		set,
		true,
		false,
		nodeOf(set, typeVersion),
		d,
	) as INodeParameters;
}

/** Display names of the properties (notices included) the panel shows for these values. */
function shown(d: INodeTypeDescription, set: INodeParameters, typeVersion: number): string[] {
	const values = withDefaults(d, set, typeVersion);
	return d.properties
		.filter((p) => NodeHelpers.displayParameter(values, p, nodeOf(values, typeVersion), d))
		.map((p) => (p.type === 'notice' ? `notice: ${p.name}` : p.name));
}

test('the package loads the node as version 1.2, the version a new node gets', async () => {
	const pkg = await loadPackage();
	expect(pkg.nodes.find((n) => n.type === NODE_TYPE)?.version).toBe(1.2);
	const d = await describe_(1.2);
	expect(d.defaultVersion).toBe(1.2);
});

describe('Get Status', () => {
	it('downloads a finished video by default from version 1.1; a saved version-1 node does not', async () => {
		const [v1, v11] = [await describe_(1), await describe_(1.1)];
		expect(withDefaults(v11, { operation: 'getStatus' }, 1.1).download).toBe(true);
		expect(withDefaults(await describe_(1.2), { operation: 'getStatus' }, 1.2).download).toBe(true);
		expect(withDefaults(v1, { operation: 'getStatus' }, 1).download).toBe(false);
	});

	it('as a tool offers neither Download Video nor Put Video in Field', async () => {
		const d = await describe_(1.2);
		expect(shown(d, { operation: 'getStatus' }, 1.2)).toEqual(
			expect.arrayContaining(['download', 'options', 'routeByStatus']),
		);
		const tool = shown(asTool(d), { operation: 'getStatus' }, 1.2);
		expect(tool).toContain('taskId');
		for (const name of ['download', 'options', 'routeByStatus', 'notice: pinSubmitNotice'])
			expect(tool).not.toContain(name);
	});
});

describe('hints where testing a node would pay for a new task', () => {
	it.each(['getStatus', 'waitUntilDone'])(
		'%s shows the notice to pin Submit, except as a tool',
		async (operation) => {
			const d = await describe_(1.2);
			expect(shown(d, { operation }, 1.2)).toContain('notice: pinSubmitNotice');
			expect(shown(asTool(d), { operation }, 1.2)).not.toContain('notice: pinSubmitNotice');
		},
	);

	it('the notice says when Execute step pays for a new task, in under 25 words', async () => {
		const d = await describe_(1.2);
		const notice = d.properties.find((p) => p.name === 'pinSubmitNotice')!.displayName;
		// n8n reuses Submit's output unless it has none or something up to it changed (findStartNodes).
		expect(notice).toMatch(/runs Submit again.*unless.*pinned.*changed since/);
		expect(notice.split(/\s+/).length).toBeLessThan(25);
	});

	it('Submit shows its one-line paid notice, but not in the tool panel', async () => {
		const d = await describe_(1.2);
		const notice = d.properties.find((p) => p.name === 'paidNotice')!;
		expect(notice.displayName.length).toBeLessThan(120);
		expect(shown(d, { operation: 'submit' }, 1.2)).toContain('notice: paidNotice');
		expect(shown(asTool(d), { operation: 'submit' }, 1.2)).not.toContain('notice: paidNotice');
	});
});

describe('wait options', () => {
	// n8n fills in a collection's default only when a node is created, and drops what it holds but
	// does not show on the next edit; it never adds a default when another parameter changes.
	it('a new Submit (1.2) starts with empty Options, waiting or not, as Get Status does', async () => {
		const d = await describe_(1.2);
		for (const set of [
			{ operation: 'submit' },
			{ operation: 'submit', waitForCompletion: true },
			{ operation: 'getStatus' },
		]) {
			expect({ set, options: withDefaults(d, set, 1.2).options }).toEqual({ set, options: {} });
		}
	});

	it.each([1, 1.1])(
		'a Submit saved as version %s keeps Poll Interval and Timeout as its Options default',
		async (version) => {
			const d = await describe_(version);
			expect(withDefaults(d, { operation: 'submit' }, version).options).toEqual({
				pollInterval: 10,
				timeout: 600,
			});
		},
	);

	it('are filled in, at the values the node uses, for a new Wait Until Done', async () => {
		const d = await describe_(1.2);
		expect(withDefaults(d, { operation: 'waitUntilDone' }, 1.2).options).toEqual({
			pollInterval: 10,
			timeout: 600,
		});
	});

	it("Submit's wait notice shows only with Wait for Completion on, and names no figure", async () => {
		const d = await describe_(1.2);
		const notice = d.properties.find((p) => p.name === 'waitSettingsNotice')!;
		expect(notice.displayName).toMatch(/Poll Interval and Timeout, under Options/);
		// A figure here could contradict what the user set under Options.
		expect(notice.displayName).not.toMatch(/\d/);
		expect(d.properties.filter((p) => p.hint && /\d+ s\b/.test(p.hint))).toEqual([]);
		for (const version of [1, 1.1, 1.2]) {
			const dv = await describe_(version);
			const on = { operation: 'submit', waitForCompletion: true };
			expect(shown(dv, on, version)).toContain('notice: waitSettingsNotice');
			expect(shown(dv, { operation: 'submit' }, version)).not.toContain(
				'notice: waitSettingsNotice',
			);
			expect(shown(asTool(dv), on, version)).not.toContain('notice: waitSettingsNotice');
		}
	});

	it('say their defaults', async () => {
		const d = await describe_(1.2);
		const options = d.properties.find(
			(p) => p.name === 'options' && p.displayOptions?.show?.operation?.includes('waitUntilDone'),
		)!.options as INodeProperties[];
		const byName = Object.fromEntries(options.map((o) => [o.name, o.description]));
		expect(byName.pollInterval).toMatch(/default 10\b/);
		expect(byName.timeout).toMatch(/default 600\b/);
	});
});

describe("n8n's wording guidelines", () => {
	// Sizes (Resolution) and ratios keep their natural order; these lists have none.
	it('sorts operations, models, option collections and the reference field by name', async () => {
		const d = await describe_(1.2);
		const lists: Array<[string, string[]]> = [];
		const collect = (props: INodeProperties[], path: string) => {
			for (const p of props) {
				const options = (p.options ?? []) as Array<{ name?: string; displayName?: string }>;
				const named = ['operation', 'model', 'videoField'].includes(p.name);
				if (named || p.type === 'collection')
					lists.push([`${path}${p.name}`, options.map((o) => (o.displayName ?? o.name)!)]);
				if (p.type === 'collection') collect(p.options as INodeProperties[], `${path}${p.name}.`);
			}
		};
		collect(d.properties, '');
		expect(lists.map(([name]) => name)).toEqual(
			expect.arrayContaining(['operation', 'model', 'options', 'options.videoField']),
		);
		for (const [name, names] of lists) {
			const sorted = [...names].sort((a, b) => a.localeCompare(b));
			expect({ name, names }).toEqual({ name, names: sorted });
		}
	});

	it('names actions without articles', async () => {
		const d = await describe_(1.2);
		const operation = d.properties.find((p) => p.name === 'operation')!;
		const actions = (operation.options as Array<{ action: string }>).map((o) => o.action);
		expect(actions).toHaveLength(3);
		for (const action of actions) expect(action).not.toMatch(/\b(a|an|the)\b/i);
	});
});
