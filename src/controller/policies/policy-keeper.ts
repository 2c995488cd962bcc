/**
 * The policy set in force. Sources offer every load they make; a load with any error is rejected
 * whole and the last good set stays in force, so a bad commit or a half-applied CRD never leaves the
 * controller without policies or with half of them. The verdict says why, in lines an admin can act on.
 */
import { listed } from "../../core/model/listed.ts";
import { formatFieldError } from "../../core/policy/field-error.ts";
import { countPolicies, EMPTY_POLICY_SET, type PolicySet } from "../../core/policy/policy-set.ts";
import { type PolicyChange, policyChanges } from "./policy-changes.ts";
import type { PolicyLoad } from "./policy-load.ts";

export interface PolicyVerdict {
  readonly accepted: boolean;
  /** Accepted and different from the set in force before it (the first accepted set always is). */
  readonly changed: boolean;
  /** The generation in force after this offer: 0 while no set has been accepted. */
  readonly generation: number;
  readonly origin: string;
  /** Each error as `file:line:column: field.path: Type: message`, as `kubedrs policy validate` prints them. */
  readonly errors: readonly string[];
  /** Policy by policy, what an accepted load changed (all added, for the first). */
  readonly changes: readonly PolicyChange[];
  /** One line for the log. */
  readonly summary: string;
}

/** How many changed policies a summary names before it only counts the rest. */
const NAMED_CHANGES = 5;

function errorCount(count: number): string {
  return count === 1 ? "1 error" : `${count} errors`;
}

function policyCount(set: PolicySet): string {
  const count = countPolicies(set);
  return count === 1 ? "1 policy" : `${count} policies`;
}

function describeChanges(changes: readonly PolicyChange[]): string {
  return listed(
    changes.map(({ change, policy }) => `${change} ${policy}`),
    NAMED_CHANGES,
  );
}

export class PolicyKeeper {
  private inForce: PolicySet | undefined;
  private inForceOrigin = "";
  private generationInForce = 0;

  /** The policy set in force; undefined until a load has been accepted. */
  current(): PolicySet | undefined {
    return this.inForce;
  }

  /** Goes up by one each time the policies in force change. */
  get generation(): number {
    return this.generationInForce;
  }

  /** Where the set in force came from ("" while there is none). */
  get origin(): string {
    return this.inForceOrigin;
  }

  offer(load: PolicyLoad): PolicyVerdict {
    return load.errors.length > 0 ? this.reject(load) : this.accept(load);
  }

  private reject(load: PolicyLoad): PolicyVerdict {
    const kept =
      this.inForce === undefined
        ? "no policies are in force yet"
        : `generation ${this.generationInForce} (${policyCount(this.inForce)}) stays in force`;
    return {
      accepted: false,
      changed: false,
      generation: this.generationInForce,
      origin: load.origin,
      errors: load.errors.map(formatFieldError),
      changes: [],
      summary: `rejected the policies from ${load.origin}: ${errorCount(load.errors.length)}; ${kept}`,
    };
  }

  private accept(load: PolicyLoad): PolicyVerdict {
    const first = this.inForce === undefined;
    const changes = policyChanges(this.inForce ?? EMPTY_POLICY_SET, load.set);
    const changed = first || changes.length > 0;
    // Taken even when unchanged: the new set knows where each policy now sits in its file.
    this.inForce = load.set;
    this.inForceOrigin = load.origin;
    if (changed) this.generationInForce += 1;
    const count = policyCount(load.set);
    const summary = first
      ? `accepted ${count} from ${load.origin} as generation ${this.generationInForce}`
      : changed
        ? `accepted the policies from ${load.origin} as generation ${this.generationInForce}: ${describeChanges(changes)}`
        : `the policies from ${load.origin} are unchanged; generation ${this.generationInForce} (${count}) stays in force`;
    return {
      accepted: true,
      changed,
      generation: this.generationInForce,
      origin: load.origin,
      errors: [],
      changes,
      summary,
    };
  }
}
