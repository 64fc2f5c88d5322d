import { join } from 'node:path';

import type * as BinaryReference from '../nodes/OctopusX/reference/binaryReference';
import type * as JsonBody from '../nodes/OctopusX/reference/jsonBodyWithDataUri';
import type * as Limit from '../nodes/OctopusX/transport/limit';

const DIST = join(__dirname, '..', 'dist', 'nodes', 'OctopusX');

/** A module of the built node (what the engine runs), typed by its source. */
function load<T>(path: string): T {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(join(DIST, path)) as T;
}

export const built = {
	binaryReference: () => load<typeof BinaryReference>('reference/binaryReference'),
	jsonBody: () => load<typeof JsonBody>('reference/jsonBodyWithDataUri'),
	limit: () => load<typeof Limit>('transport/limit'),
};
