import { join } from 'node:path';

import type * as BinaryReference from '../nodes/OctopusX/reference/binaryReference';
import type * as StreamedBody from '../nodes/OctopusX/reference/streamedBody';
import type * as Limit from '../nodes/OctopusX/transport/limit';

const DIST = join(__dirname, '..', 'dist', 'nodes', 'OctopusX');

/** A module of the built node (what the engine runs), typed by its source. */
function load<T>(path: string): T {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(join(DIST, path)) as T;
}

export const built = {
	binaryReference: () => load<typeof BinaryReference>('reference/binaryReference'),
	streamedBody: () => load<typeof StreamedBody>('reference/streamedBody'),
	limit: () => load<typeof Limit>('transport/limit'),
};
