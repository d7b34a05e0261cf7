import { parsePipelineArguments, type PipelineOptions } from "../../pipeline/arguments";
import { PipelineInputError } from "../../pipeline/errors";

function options(argv: string[]): PipelineOptions {
  const parsed = parsePipelineArguments(argv);
  if (parsed.help) throw new Error("expected options, got --help");
  return parsed.options;
}

function problem(argv: string[]): string {
  try {
    parsePipelineArguments(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineInputError);
    return (error as Error).message;
  }
  throw new Error(`no error for ${argv.join(" ")}`);
}

describe("pipeline arguments", () => {
  it("defaults: every stack of cdktf.out, terraform from PATH, one at a time, no JSON", () => {
    expect(options(["plan"])).toEqual({
      command: "plan",
      outdir: "cdktf.out",
      stacks: undefined,
      terraform: "terraform",
      parallelism: 1,
      json: false,
      planArgs: [],
    });
  });

  it("reads every option, in any position, and passes what follows -- to terraform plan", () => {
    expect(
      options(["--outdir", "build/out", "apply", "--stacks=a,b", "--stacks", "c,a", "--terraform", "/opt/tf/terraform", "--parallelism", "3", "--json", "--", "-var-file=prod.tfvars", "-refresh=false", "--", "x"]),
    ).toEqual({
      command: "apply",
      outdir: "build/out",
      stacks: ["a", "b", "c"],
      terraform: "/opt/tf/terraform",
      parallelism: 3,
      json: true,
      planArgs: ["-var-file=prod.tfvars", "-refresh=false", "--", "x"],
    });
  });

  it("answers --help and -h with the usage", () => {
    expect(parsePipelineArguments(["--help"])).toEqual({ help: true });
    expect(parsePipelineArguments(["plan", "-h"])).toEqual({ help: true });
  });

  it.each([
    [[], "missing command: expected one of plan, apply"],
    [["deploy"], 'unknown command "deploy": expected one of plan, apply'],
    [["plan", "apply"], 'unexpected argument "apply": terraform arguments go after "--" (npm run pipeline -- plan -- apply)'],
    [["apply", "--refresh=false"], 'unknown option --refresh=false: terraform options go after "--" (npm run pipeline -- apply -- --refresh=false)'],
    [["plan", "-refresh=false"], 'unknown option -refresh=false: terraform options go after "--" (npm run pipeline -- plan -- -refresh=false)'],
    [["plan", "--outdir"], "--outdir needs a value"],
    [["plan", "--json=yes"], "--json takes no value"],
    [["plan", "--outdir", "-x"], '--outdir needs a value; for a value that starts with "-", write --outdir=<value>'],
    [["plan", "--outdir="], "--outdir: must not be empty"],
    [["plan", "--terraform", " "], "--terraform: must not be empty"],
    [["plan", "--parallelism", "0"], '--parallelism: expected a whole number from 1 to 999 (got "0")'],
    [["plan", "--parallelism", "two"], '--parallelism: expected a whole number from 1 to 999 (got "two")'],
    [["plan", "--parallelism", "1.5"], '--parallelism: expected a whole number from 1 to 999 (got "1.5")'],
    [["plan", "--stacks", "a,,b"], '--stacks: expected stack ids separated by commas, such as --stacks gitpod-installation-secrets,gitpod-release (got "a,,b")'],
  ])("rejects %j: %s", (argv, message) => {
    expect(problem(argv)).toBe(`${message}; run "npm run pipeline -- --help" for usage`);
  });

  it("names the unknown option as typed, among known ones", () => {
    expect(problem(["plan", "--outdir=-out", "--json", "-h2", "--lock=false"])).toMatch(/^unknown option -h2: /);
  });
});
