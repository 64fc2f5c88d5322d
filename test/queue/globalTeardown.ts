/** Stops whatever a cluster left running (a crashed test process), then the end-to-end teardown. */
import e2eGlobalTeardown from '../e2e/globalTeardown';
import { LEFTOVERS_ENV, stopLeftovers } from './leftovers';

export default async function globalTeardown(): Promise<void> {
	const file = process.env[LEFTOVERS_ENV];
	if (file) stopLeftovers(file);
	await e2eGlobalTeardown();
}
