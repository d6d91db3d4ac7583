/**
 * Another Baton process migrating the same database (migrate.test.ts starts several at once). Runs the built
 * code (dist/), like the end-to-end tests. Prints the migration result as JSON, or the error's line on stderr.
 */
import { connectPool } from '../../../dist/store/postgres/connection.js';
import { migrate } from '../../../dist/store/postgres/migrate.js';

const { pool, where } = await connectPool(process.argv[2]);
try {
  process.stdout.write(JSON.stringify(await migrate(pool, { where })));
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
