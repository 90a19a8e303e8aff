// Rectangular linear assignment (shortest augmenting path, Jonker-Volgenant style,
// as in Crouse 2016 / scipy's linear_sum_assignment) on preallocated typed arrays.
// Buffers grow only when a bigger matrix arrives, so steady-state calls allocate nothing.

/**
 * Minimum-cost assignment solver. Costs are a dense row-major Float64Array.
 * `solve` assigns every row of the smaller side; `solveGated` only keeps pairs
 * whose cost is below a limit and picks the set of pairs minimising
 * sum(cost - limit), i.e. a pair is made only when it beats leaving both unmatched
 * (the semantics of lapjv's `extend_cost` + `cost_limit` used by SORT/ByteTrack).
 */
export class LinearAssignment {
  /** Column matched to each row, -1 when unmatched (valid after a solve, length >= rows). */
  rowToCol: Int32Array = new Int32Array(16);
  /** Row matched to each column, -1 when unmatched (length >= cols). */
  colToRow: Int32Array = new Int32Array(16);

  private work: Float64Array = new Float64Array(256);
  private u: Float64Array = new Float64Array(16);
  private v: Float64Array = new Float64Array(16);
  private spc: Float64Array = new Float64Array(16);
  private path: Int32Array = new Int32Array(16);
  private col4row: Int32Array = new Int32Array(16);
  private row4col: Int32Array = new Int32Array(16);
  private remaining: Int32Array = new Int32Array(16);
  private sr: Uint8Array = new Uint8Array(16);
  private sc: Uint8Array = new Uint8Array(16);
  // Connected components of the feasible-pair graph (solveGated).
  private rowComp: Int32Array = new Int32Array(16);
  private colComp: Int32Array = new Int32Array(16);
  private queue: Int32Array = new Int32Array(32);
  private compRows: Int32Array = new Int32Array(16);
  private compCols: Int32Array = new Int32Array(16);
  private sub: Float64Array = new Float64Array(256);
  // Allowed pairs as adjacency lists (CSR), rows -> columns and columns -> rows.
  private rowStart: Int32Array = new Int32Array(17);
  private colStart: Int32Array = new Int32Array(17);
  private colFill: Int32Array = new Int32Array(16);
  private rowAdj: Int32Array = new Int32Array(256);
  private colAdj: Int32Array = new Int32Array(256);

  private ensure(rows: number, cols: number): void {
    const n = Math.max(rows, cols);
    if (this.u.length < n) {
      const size = Math.max(n, this.u.length * 2);
      this.u = new Float64Array(size);
      this.v = new Float64Array(size);
      this.spc = new Float64Array(size);
      this.path = new Int32Array(size);
      this.col4row = new Int32Array(size);
      this.row4col = new Int32Array(size);
      this.remaining = new Int32Array(size);
      this.sr = new Uint8Array(size);
      this.sc = new Uint8Array(size);
    }
    if (this.rowComp.length < rows) this.rowComp = new Int32Array(Math.max(rows, this.rowComp.length * 2));
    if (this.colComp.length < cols) this.colComp = new Int32Array(Math.max(cols, this.colComp.length * 2));
    if (this.compRows.length < rows) this.compRows = new Int32Array(Math.max(rows, this.compRows.length * 2));
    if (this.compCols.length < cols) this.compCols = new Int32Array(Math.max(cols, this.compCols.length * 2));
    if (this.rowStart.length < rows + 1) this.rowStart = new Int32Array(Math.max(rows + 1, this.rowStart.length * 2));
    if (this.colStart.length < cols + 1) this.colStart = new Int32Array(Math.max(cols + 1, this.colStart.length * 2));
    if (this.colFill.length < cols) this.colFill = new Int32Array(Math.max(cols, this.colFill.length * 2));
    if (this.queue.length < rows + cols) this.queue = new Int32Array(Math.max(rows + cols, this.queue.length * 2));
    if (this.rowToCol.length < rows) this.rowToCol = new Int32Array(Math.max(rows, this.rowToCol.length * 2));
    if (this.colToRow.length < cols) this.colToRow = new Int32Array(Math.max(cols, this.colToRow.length * 2));
    if (this.work.length < rows * cols) this.work = new Float64Array(Math.max(rows * cols, this.work.length * 2));
  }

  /**
   * Min-cost assignment of all rows (rows <= cols) or all columns (rows > cols).
   * Costs must be finite. Returns the total cost.
   */
  solve(cost: Float64Array, rows: number, cols: number): number {
    this.ensure(rows, cols);
    const r2c = this.rowToCol;
    const c2r = this.colToRow;
    r2c.fill(-1, 0, rows);
    c2r.fill(-1, 0, cols);
    if (rows === 0 || cols === 0) return 0;
    const w = this.work;
    if (rows <= cols) {
      for (let k = 0; k < rows * cols; k++) w[k] = cost[k]!;
      this.run(w, rows, cols);
      for (let i = 0; i < rows; i++) {
        const j = this.col4row[i]!;
        r2c[i] = j;
        c2r[j] = i;
      }
    } else {
      // Transpose so the shorter side is the rows.
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) w[j * rows + i] = cost[i * cols + j]!;
      this.run(w, cols, rows);
      for (let j = 0; j < cols; j++) {
        const i = this.col4row[j]!;
        c2r[j] = i;
        r2c[i] = j;
      }
    }
    let total = 0;
    for (let i = 0; i < rows; i++) if (r2c[i]! >= 0) total += cost[i * cols + r2c[i]!]!;
    return total;
  }

  /**
   * Optimal partial assignment: pairs with cost >= limit (or NaN / Infinity) are never made;
   * minimises sum(cost - limit) over the made pairs. Returns the number of pairs.
   */
  solveGated(cost: Float64Array, rows: number, cols: number, limit: number): number {
    this.ensure(rows, cols);
    const r2c = this.rowToCol;
    const c2r = this.colToRow;
    r2c.fill(-1, 0, rows);
    c2r.fill(-1, 0, cols);
    if (rows === 0 || cols === 0) return 0;
    // The problem splits into independent sub-problems, one per connected component of the
    // graph of allowed pairs; in a crowd these are small, which keeps the cubic solver cheap.
    const rowComp = this.rowComp;
    const colComp = this.colComp;
    rowComp.fill(-1, 0, rows);
    colComp.fill(-1, 0, cols);
    // Adjacency of allowed pairs (CSR), so the component search costs O(pairs), not O(rows x cols).
    const rowStart = this.rowStart;
    const colStart = this.colStart;
    colStart.fill(0, 0, cols + 1);
    let edges = 0;
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      for (let j = 0; j < cols; j++) {
        if (cost[base + j]! < limit) {
          edges++;
          colStart[j + 1] = colStart[j + 1]! + 1;
        }
      }
    }
    if (edges === 0) return 0;
    if (this.rowAdj.length < edges) {
      this.rowAdj = new Int32Array(Math.max(edges, this.rowAdj.length * 2));
      this.colAdj = new Int32Array(Math.max(edges, this.colAdj.length * 2));
    }
    const rowAdj = this.rowAdj;
    const colAdj = this.colAdj;
    for (let j = 0; j < cols; j++) colStart[j + 1] = colStart[j + 1]! + colStart[j]!;
    const colFill = this.colFill;
    for (let j = 0; j < cols; j++) colFill[j] = colStart[j]!;
    let e = 0;
    for (let i = 0; i < rows; i++) {
      rowStart[i] = e;
      const base = i * cols;
      for (let j = 0; j < cols; j++) {
        if (cost[base + j]! < limit) {
          rowAdj[e++] = j;
          colAdj[colFill[j]!] = i;
          colFill[j] = colFill[j]! + 1;
        }
      }
    }
    rowStart[rows] = e;
    const queue = this.queue;
    let pairs = 0;
    for (let start = 0; start < rows; start++) {
      if (rowComp[start] !== -1 || rowStart[start] === rowStart[start + 1]) continue;
      // Breadth-first search; queue entries >= 0 are rows, < 0 are columns (~j).
      let head = 0;
      let tail = 0;
      let nr = 0;
      let nc = 0;
      queue[tail++] = start;
      rowComp[start] = start;
      while (head < tail) {
        const q = queue[head++]!;
        if (q >= 0) {
          this.compRows[nr++] = q;
          for (let k = rowStart[q]!; k < rowStart[q + 1]!; k++) {
            const j = rowAdj[k]!;
            if (colComp[j] === -1) {
              colComp[j] = start;
              queue[tail++] = ~j;
            }
          }
        } else {
          const j = ~q;
          this.compCols[nc++] = j;
          for (let k = colStart[j]!; k < colStart[j + 1]!; k++) {
            const i = colAdj[k]!;
            if (rowComp[i] === -1) {
              rowComp[i] = start;
              queue[tail++] = i;
            }
          }
        }
      }
      if (nc === 0) continue;
      if (nr === 1 && nc === 1) {
        const i = this.compRows[0]!;
        const j = this.compCols[0]!;
        r2c[i] = j;
        c2r[j] = i;
        pairs++;
        continue;
      }
      pairs += this.solveComponent(cost, cols, limit, nr, nc);
    }
    return pairs;
  }

  /** Solves the component compRows[0..nr) x compCols[0..nc) with reduced costs min(c - limit, 0). */
  private solveComponent(cost: Float64Array, cols: number, limit: number, nr: number, nc: number): number {
    const transpose = nr > nc;
    const n = transpose ? nc : nr;
    const m = transpose ? nr : nc;
    if (this.sub.length < n * m) this.sub = new Float64Array(Math.max(n * m, this.sub.length * 2));
    const w = this.sub;
    for (let a = 0; a < nr; a++) {
      const base = this.compRows[a]! * cols;
      for (let b = 0; b < nc; b++) {
        const c = cost[base + this.compCols[b]!]!;
        // c - limit < 0 for allowed pairs; everything else is worth exactly "unmatched" (0).
        const reduced = c < limit ? c - limit : 0;
        if (transpose) w[b * nr + a] = reduced;
        else w[a * nc + b] = reduced;
      }
    }
    this.run(w, n, m);
    let pairs = 0;
    for (let a = 0; a < n; a++) {
      const b = this.col4row[a]!;
      if (w[a * m + b]! >= 0) continue;
      const i = this.compRows[transpose ? b : a]!;
      const j = this.compCols[transpose ? a : b]!;
      this.rowToCol[i] = j;
      this.colToRow[j] = i;
      pairs++;
    }
    return pairs;
  }

  /** Shortest augmenting path for an n x m matrix with n <= m; result in col4row. */
  private run(cost: Float64Array, n: number, m: number): void {
    const u = this.u;
    const v = this.v;
    const spc = this.spc;
    const path = this.path;
    const col4row = this.col4row;
    const row4col = this.row4col;
    const remaining = this.remaining;
    const sr = this.sr;
    const sc = this.sc;
    u.fill(0, 0, n);
    v.fill(0, 0, m);
    path.fill(-1, 0, m);
    col4row.fill(-1, 0, n);
    row4col.fill(-1, 0, m);

    for (let curRow = 0; curRow < n; curRow++) {
      // Dijkstra-like search for the cheapest augmenting path from curRow.
      let minVal = 0;
      let numRemaining = m;
      for (let it = 0; it < m; it++) remaining[it] = m - it - 1;
      sr.fill(0, 0, n);
      sc.fill(0, 0, m);
      spc.fill(Infinity, 0, m);
      let sink = -1;
      let i = curRow;
      while (sink === -1) {
        let index = -1;
        let lowest = Infinity;
        sr[i] = 1;
        const base = i * m;
        const ui = u[i]!;
        for (let it = 0; it < numRemaining; it++) {
          const j = remaining[it]!;
          const r = minVal + cost[base + j]! - ui - v[j]!;
          if (r < spc[j]!) {
            path[j] = i;
            spc[j] = r;
          }
          const s = spc[j]!;
          if (s < lowest || (s === lowest && row4col[j] === -1)) {
            lowest = s;
            index = it;
          }
        }
        minVal = lowest;
        if (index < 0 || minVal === Infinity) return; // cannot happen with finite costs
        const j = remaining[index]!;
        if (row4col[j] === -1) sink = j;
        else i = row4col[j]!;
        sc[j] = 1;
        remaining[index] = remaining[--numRemaining]!;
      }
      // Update the dual variables.
      u[curRow] = u[curRow]! + minVal;
      for (let r = 0; r < n; r++) {
        if (sr[r] && r !== curRow) u[r] = u[r]! + minVal - spc[col4row[r]!]!;
      }
      for (let c = 0; c < m; c++) {
        if (sc[c]) v[c] = v[c]! - (minVal - spc[c]!);
      }
      // Augment along the path.
      let j = sink;
      for (;;) {
        const r = path[j]!;
        row4col[j] = r;
        const prev = col4row[r]!;
        col4row[r] = j;
        j = prev;
        if (r === curRow) break;
      }
    }
  }
}
