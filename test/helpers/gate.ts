/** A gate for holding a piece of work at a point: `wait` resolves once `open` was called; `reached` once someone waits. */
export function gate(): { wait: () => Promise<void>; reached: Promise<void>; open: () => void } {
  let open!: () => void;
  let reach!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (reach = r));
  return {
    wait: () => {
      reach();
      return opened;
    },
    reached,
    open,
  };
}
