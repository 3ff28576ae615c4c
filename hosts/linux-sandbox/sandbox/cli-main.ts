/** Process entry of hosts/linux-sandbox/run-node (see cli.ts). Must not depend on: anything else. */
import { cli } from './cli';

cli(process.argv.slice(2));
