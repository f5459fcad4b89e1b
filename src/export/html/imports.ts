import type { Analysis } from '../../analyze/analysis.js';
import type { ImportRecord } from '../../analyze/thread-state.js';
import { formatCount, formatDuration } from '../../text/units.js';
import { htmlText } from '../../text/untrusted.js';

/** An import and the imports it caused, slowest first. */
export interface ImportNode {
  readonly record: ImportRecord;
  readonly children: ImportNode[];
}

const bySlowest = (a: ImportNode, b: ImportNode) =>
  b.record.durationNs - a.record.durationNs || a.record.startNs - b.record.startNs || a.record.done - b.record.done;

/**
 * The imports as a forest, as `python -X importtime` nests them: an import at depth d belongs to
 * the latest import at depth d-1 still open on its thread. Siblings are sorted by cumulative time.
 */
export function importForest(imports: readonly ImportRecord[]): ImportNode[] {
  const roots: ImportNode[] = [];
  const open = new Map<string, ImportNode[]>();
  // By start time, then depth (the analysis' order): a parent comes before its children.
  for (const record of imports) {
    const key = `${record.pid}/${record.tid}`;
    let stack = open.get(key);
    if (stack === undefined) open.set(key, (stack = []));
    stack.length = Math.min(stack.length, record.depth);
    const node: ImportNode = { record, children: [] };
    (stack.length > 0 ? stack[stack.length - 1].children : roots).push(node);
    stack.push(node);
  }
  // Iteratively: nesting is as deep as the trace makes it.
  const pending = [roots];
  for (let list = pending.pop(); list !== undefined; list = pending.pop()) {
    list.sort(bySlowest);
    for (const node of list) if (node.children.length > 0) pending.push(node.children);
  }
  return roots;
}

function rowHtml(node: ImportNode, showThread: boolean): string {
  const r = node.record;
  const thread = showThread && r.tid >= 0 ? ` <span class="dim">tid ${r.tid}</span>` : '';
  const missing = r.found ? '' : ' <span class="bad">(not found)</span>';
  return `<span class="t">${formatDuration(r.selfNs)}</span><span class="t">${formatDuration(r.durationNs)}</span><span class="m">${htmlText(r.module)}</span>${missing}${thread}`;
}

/** The forest as nested <details> (collapsed), built without recursion. */
export function importTreeHtml(roots: readonly ImportNode[], showThread: boolean): string {
  const out: string[] = [];
  // Work items: a node to open, or the closing tags of one already opened.
  const work: (ImportNode | string)[] = [...roots].reverse();
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    if (typeof item === 'string') {
      out.push(item);
    } else if (item.children.length === 0) {
      out.push(`<div class="leaf">${rowHtml(item, showThread)}</div>`);
    } else {
      out.push(`<details><summary>${rowHtml(item, showThread)}</summary><div class="kids">`);
      work.push('</div></details>');
      for (let i = item.children.length - 1; i >= 0; i--) work.push(item.children[i]);
    }
  }
  return out.join('\n');
}

/** Imports: a collapsible tree with self and cumulative times, slowest first at every level. */
export function importsSection(analysis: Analysis): string {
  const imports = analysis.imports;
  if (imports.length === 0)
    return `<section id="imports"><h2>Imports</h2><p class="none">no import events in this trace</p></section>`;
  const topLevel = imports.filter((record) => record.depth === 0);
  const topNs = topLevel.reduce((sum, record) => sum + record.durationNs, 0);
  const notFound = imports.filter((record) => !record.found).length;
  const heading = `Imports: ${formatCount(imports.length)} (${formatCount(topLevel.length)} top-level, ${formatDuration(topNs)} in top-level imports${notFound > 0 ? `, ${formatCount(notFound)} not found` : ''})`;
  const threads = new Set(imports.map((record) => `${record.pid}/${record.tid}`)).size;
  return [
    `<section id="imports"><h2>${htmlText(heading)}</h2>`,
    `<div class="controls"><button type="button" id="imports-open">expand all</button> <button type="button" id="imports-close">collapse all</button></div>`,
    `<div class="tree" id="import-tree"><div class="head"><span class="t">self</span><span class="t">cumulative</span><span class="m">module</span></div>`,
    importTreeHtml(importForest(imports), threads > 1),
    `</div></section>`,
  ].join('\n');
}
