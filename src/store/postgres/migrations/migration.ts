/** One step of the schema: `sql` runs once, inside the transaction that applies every pending step. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
