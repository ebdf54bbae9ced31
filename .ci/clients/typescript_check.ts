// Compiled (never run) by .ci/clients/run.sh with `tsc --noEmit --strict` next to
// `veikart.d.ts`, the types openapi-typescript generates from openapi/openapi.json.
// Every statement below is something a TypeScript client of Veikart relies on; if the
// contract stops describing it, this file stops compiling.
import type { components, operations } from "./veikart";

type Schemas = components["schemas"];
type Plan = Schemas["Plan"];
type Kpi = Schemas["Kpi"];
type PagePlan = Schemas["Page_Plan"];
type Problem = Schemas["Problem"];
type CreatePlan = Schemas["CreatePlan"];
type UpdatePlan = Schemas["UpdatePlan"];
type PlanDocument = Schemas["PlanDocument"];

// `true` only when A and B are the same type (not merely assignable either way).
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

// A page's items are the documented resource, and the cursor is an optional string.
export function pagePlans(page: PagePlan): Plan[] {
  const items: Plan[] = page.items;
  const next: string | null | undefined = page.next_cursor;
  return next === undefined || next === null ? items : items.slice();
}
assertType<Equal<PagePlan["items"], Plan[]>>();
assertType<Equal<PagePlan["items"][number], Plan>>();

// The list operation answers with that page type.
type ListPlans200 = operations["list_plans"]["responses"][200]["content"]["application/json"];
assertType<Equal<ListPlans200, PagePlan>>();

// A plan's required fields are present and typed; the optional ones may be null.
export function describePlan(plan: Plan): string {
  const id: number = plan.id;
  const version: number = plan.version;
  const title: string = plan.title;
  const start: string = plan.period_start;
  const end: string = plan.period_end;
  const published: boolean = plan.published;
  const intro: string | null | undefined = plan.intro;
  switch (plan.status) {
    case "draft":
    case "adopted":
    case "archived":
      break;
    default: {
      // Fails to compile if PlanStatus gains a value this switch does not handle.
      const unknown: never = plan.status;
      return unknown;
    }
  }
  return `${id} v${version} ${title} ${start}..${end} ${published} ${intro ?? ""}`;
}
assertType<Equal<Plan["status"], "draft" | "adopted" | "archived">>();

// A KPI's definition: target and tolerance are numbers, the direction a closed union,
// the source names an entity and an aggregate.
export function describeKpi(kpi: Kpi): string {
  const target: number = kpi.target;
  const tolerance: number = kpi.tolerance;
  const planId: number = kpi.plan_id;
  const direction: "at_least" | "at_most" = kpi.direction;
  const entity: string = kpi.source.entity;
  const aggregate: string = kpi.source.aggregate;
  const focusArea: number | null | undefined = kpi.focus_area_id;
  return `${planId} ${target} ${tolerance} ${direction} ${entity} ${aggregate} ${focusArea ?? "-"}`;
}

// Errors are RFC 9457 problems with the invalid fields listed.
export function describeProblem(problem: Problem): string[] {
  const status: number = problem.status;
  const type: string = problem.type;
  const title: string = problem.title;
  const detail: string = problem.detail;
  const fields: string[] = (problem.errors ?? []).map((e) => `${e.field} ${e.pointer} ${e.message}`);
  return [`${status} ${type} ${title}: ${detail}`, ...fields];
}
type UpdatePlan422 =
  operations["update_plan"]["responses"][422]["content"]["application/problem+json"];
assertType<Equal<UpdatePlan422, Problem>>();

// Request bodies: a new plan needs a title and a period; a change names only what
// changes, `null` clears only a field that may be empty.
export const newPlan: CreatePlan = {
  title: "Handlingsplan 2023",
  period_start: "2023-01-01",
  period_end: "2023-12-31",
};
// @ts-expect-error a plan cannot be created without its period
export const missingPeriod: CreatePlan = { title: "Handlingsplan 2023" };
export const change: UpdatePlan = { title: "Handlingsplan 2023 (revidert)", intro: null };
// @ts-expect-error a plan's title cannot be cleared
export const clearTitle: UpdatePlan = { title: null };
// @ts-expect-error a plan's period cannot be cleared
export const clearStart: UpdatePlan = { period_start: null };
// @ts-expect-error the server refuses unknown fields
export const unknownField: UpdatePlan = { colour: "blue" };

// If-Match is a plain string header.
type UpdatePlanHeaders = NonNullable<operations["update_plan"]["parameters"]["header"]>;
assertType<Equal<UpdatePlanHeaders["If-Match"], string | undefined>>();
type UpdatePlanBody = operations["update_plan"]["requestBody"]["content"]["application/json"];
assertType<Equal<UpdatePlanBody, UpdatePlan>>();

// The whole-plan document always carries its lists (an optional one would include
// `undefined`, which `object[]` does not take).
export function countParts(doc: PlanDocument): number {
  const title: string = doc.title;
  const focusAreas: object[] = doc.focus_areas;
  const kpis: object[] = doc.kpis;
  const goals: object[] = doc.goals;
  const budgetLines: object[] = doc.budget_lines;
  return title.length + focusAreas.length + kpis.length + goals.length + budgetLines.length;
}
type GetPlanDocument200 =
  operations["get_plan_document"]["responses"][200]["content"]["application/json"];
assertType<Equal<GetPlanDocument200, PlanDocument>>();
