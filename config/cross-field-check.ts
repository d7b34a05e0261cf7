/**
 * Rules that relate several fields ("aws.vpcId is required when database.type is rds"), as valibot
 * pipe actions.
 *
 * Like valibot's `check`, a rule runs once every field has the right type, even if some fail their
 * format rules, so most configs get all their problems in one run. Unlike it, a rule can report
 * several problems, each at the field it concerns.
 */
import * as v from "valibot";

/** Keys from the checked value down to a field. */
export type FieldPath = readonly (string | number)[];

export type ReportProblem = (path: FieldPath, message: string) => void;

export function crossFieldCheck<T>(rule: (value: T, report: ReportProblem) => void): v.RawCheckAction<T> {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    rule(dataset.value, (path, message) => addIssue({ message, path: issuePath(dataset.value, path) }));
  });
}

/** valibot's path items for `path` inside `value`, for an issue raised on `value`. */
export function issuePath(value: unknown, path: FieldPath): [v.IssuePathItem, ...v.IssuePathItem[]] {
  const items: v.IssuePathItem[] = [];
  let node = value;
  for (const key of path) {
    if (typeof key === "number") {
      const input = Array.isArray(node) ? node : [];
      node = input[key];
      items.push({ type: "array", origin: "value", input, key, value: node });
    } else {
      const input = node !== null && typeof node === "object" ? (node as Record<string, unknown>) : {};
      node = input[key];
      items.push({ type: "object", origin: "value", input, key, value: node });
    }
  }
  if (items.length === 0) throw new Error("a cross-field problem needs the path of the field it concerns");
  return items as [v.IssuePathItem, ...v.IssuePathItem[]];
}
