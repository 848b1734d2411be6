// An Error with a machine-readable code, the shape every decoder and validator here throws:
// callers branch on `code`, people read `message`.
export class CodedError<C extends string> extends Error {
  constructor(readonly code: C, message: string) {
    super(message);
    this.name = new.target.name;
  }
}
