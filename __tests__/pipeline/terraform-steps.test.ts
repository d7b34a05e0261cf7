import { formatDuration, listWords } from "../../pipeline/report";
import { displayArgs, stepOutcome, terraformSteps } from "../../pipeline/terraform-steps";

describe("terraform steps of a stack", () => {
  it("plan: init, then a saved plan with a detailed exit code and the extra arguments", () => {
    expect(terraformSteps("plan", "gitpod-release", ["-var-file=prod.tfvars"])).toEqual([
      { name: "init", args: ["init", "-input=false"] },
      { name: "plan", args: ["plan", "-input=false", "-out=gitpod-release.tfplan", "-detailed-exitcode", "-var-file=prod.tfvars"] },
    ]);
  });

  it("apply: the same, then applies exactly that plan (the extra arguments are the plan's)", () => {
    const steps = terraformSteps("apply", "gitpod-release", ["-var-file=prod.tfvars"]);
    expect(steps.map((step) => step.name)).toEqual(["init", "plan", "apply"]);
    expect(steps[2].args).toEqual(["apply", "-input=false", "gitpod-release.tfplan"]);
  });

  it("reads a plan's exit code as changes (2), no changes (0) or failure", () => {
    expect(stepOutcome("plan", 0)).toEqual({ ok: true, changes: false });
    expect(stepOutcome("plan", 2)).toEqual({ ok: true, changes: true });
    expect(stepOutcome("plan", 1)).toEqual({ ok: false });
    expect(stepOutcome("plan", null)).toEqual({ ok: false });
    expect(stepOutcome("apply", 2)).toEqual({ ok: false });
    expect(stepOutcome("init", 0)).toEqual({ ok: true });
  });

  it("never shows a variable's value in the log", () => {
    expect(displayArgs(["plan", "-var=db_password=s3cret", "-var", "token=abc=def", "--var=x=y", "-var-file=prod.tfvars", "-refresh=false"])).toBe(
      "plan -var=db_password=(hidden) -var token=(hidden) --var=x=(hidden) -var-file=prod.tfvars -refresh=false",
    );
  });

  it("quotes arguments a shell would split", () => {
    expect(displayArgs(["plan", "-target=module.a[\"b\"]", "-var-file=my vars.tfvars"])).toBe(
      "plan '-target=module.a[\"b\"]' '-var-file=my vars.tfvars'",
    );
  });
});

describe("report helpers", () => {
  it("formats durations for a log", () => {
    expect(formatDuration(0)).toBe("0.0s");
    expect(formatDuration(1234)).toBe("1.2s");
    expect(formatDuration(59_940)).toBe("59.9s");
    expect(formatDuration(125_400)).toBe("2m05s");
  });

  it("lists names in a sentence", () => {
    expect(listWords(["a"])).toBe("a");
    expect(listWords(["a", "b"])).toBe("a and b");
    expect(listWords(["a", "b", "c"])).toBe("a, b and c");
  });
});
