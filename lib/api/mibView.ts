// How a protocol's MIB is shown to people: a protocol may declare, beside its mib handler,
// the tables it answers and how to walk and read them. Tools (`rras-bridge mock`, and any
// status command) walk each table with MibGetFirst / MibGetNext through the router manager's
// entry points and print the decoded records; nothing here runs inside the host.

/** A record's columns, as printed. */
export type MibRow = Record<string, string | number | boolean>;

export interface MibTableView {
  /** Heading of the table, e.g. 'neighbours'. */
  readonly title: string;
  /** The input of MibGetFirst for this table. */
  readonly first: Buffer;
  /** The input of MibGetNext for the record after `record`; null: the table has one record. */
  next(record: Buffer): Buffer | null;
  /** The record as columns. */
  decode(record: Buffer): MibRow;
}

export interface MibView {
  readonly tables: readonly MibTableView[];
}
