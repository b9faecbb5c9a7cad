/**
 * `--select`: which models a build runs. `m` alone, `m+` with everything downstream, `+m` with
 * everything upstream, `+m+` both, `tag:x` every model tagged x. Several terms (comma or space
 * separated) select their union.
 */
import { UsageError } from '../util/errors.js';
import { closestName } from '../util/suggest.js';
import type { Project } from './project.js';

export function selectModels(project: Project, select: string | readonly string[] | undefined): Set<string> {
  const all = project.models.map((model) => model.name);
  const terms = (typeof select === 'string' ? [select] : (select ?? []))
    .flatMap((term) => term.split(/[\s,]+/))
    .filter(Boolean);
  if (terms.length === 0) return new Set(all);
  const downstream = new Map<string, string[]>(all.map((name) => [name, []]));
  for (const model of project.models) for (const ref of model.refs) downstream.get(ref)!.push(model.name);
  const walk = (start: string, next: (name: string) => readonly string[], into: Set<string>) => {
    const stack = [start];
    while (stack.length) {
      const name = stack.pop()!;
      for (const other of next(name)) {
        if (into.has(other)) continue;
        into.add(other);
        stack.push(other);
      }
    }
  };
  const selected = new Set<string>();
  for (const term of terms) {
    const tag = /^tag:(.+)$/.exec(term);
    if (tag) {
      const tagged = project.models.filter((model) => model.header.tags.includes(tag[1]!));
      if (tagged.length === 0) {
        const tags = [...new Set(project.models.flatMap((model) => model.header.tags))].sort();
        throw new UsageError(
          `no model is tagged \`${tag[1]}\``,
          tags.length
            ? `tags in this project: ${tags.join(', ')}`
            : 'no model has tags yet (header "tags: [x]")',
        );
      }
      for (const model of tagged) selected.add(model.name);
      continue;
    }
    const match = /^(\+?)([A-Za-z_][A-Za-z0-9_]*)(\+?)$/.exec(term);
    if (!match)
      throw new UsageError(
        `cannot read selector \`${term}\``,
        'write model, model+, +model, +model+ or tag:name',
      );
    const [, up, name, down] = match as unknown as [string, string, string, string];
    if (!project.byName.has(name)) {
      const suggestion = closestName(name, all);
      throw new UsageError(
        `no model \`${name}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
        'lathe models lists the models of this project',
      );
    }
    selected.add(name);
    if (up) walk(name, (n) => project.byName.get(n)!.refs, selected);
    if (down) walk(name, (n) => downstream.get(n)!, selected);
  }
  return selected;
}
