#!/usr/bin/env bash
# SDK v2 conformance run (issue 15; docs/emulator-fidelity.md, "SDK v2 conformance run").
#
# The official SageMaker Python SDK v2 (`sagemaker<3`) cannot be installed beside sagemaker-core 2,
# which jstui uses, so this script installs it in its own temporary venv. It then starts jstui's
# emulator, creates tuning jobs exactly as jstui builds them (a JumpStart candidate of caltech256, a
# built-in candidate of builtin-image-classification, a Grid candidate of neu-det), and drives them
# with the SDK v2: HyperparameterTuner.attach, best_training_job(), analytics().dataframe() and
# Estimator.attach. For the JumpStart job it also has the SDK build its own tuning job for the same
# model, spec, data and ranges (JumpStartEstimator + HyperparameterTuner.fit), which must equal jstui's
# once JSON-encoding and the SDK's per-job hyperparameters are set aside, and runs
# JumpStartEstimator.attach(best).deploy(), whose CreateModel (image, Environment,
# EnableNetworkIsolation) must equal the one jstui's deploy sends. One line per check; exit 0 when all pass, 1 when one fails, 2 when the run could
# not be set up (no package index, no emulator).
#
# Usage: scripts/sdk-v2-conformance.sh            (from the repository, with jstui installed in .venv)
#        JSTUI_PYTHON=/path/to/python scripts/sdk-v2-conformance.sh
#        SDK_VENV=/path/to/venv-with-sagemaker-v2 scripts/sdk-v2-conformance.sh   (skips the install)
# Needs: network access to a Python package index (pip install "sagemaker<3").
set -u
HERE="$(cd "$(dirname "$0")/.." && pwd)"
JSTUI_PYTHON="${JSTUI_PYTHON:-$HERE/.venv/bin/python}"
WORK="$(mktemp -d -t jstui-sdkv2-XXXXXX)"
EMU_PID=""
cleanup() {
  if [ -n "$EMU_PID" ]; then kill "$EMU_PID" 2>/dev/null; wait "$EMU_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "sdk-v2-conformance: work directory $WORK"
if ! "$JSTUI_PYTHON" -c "import jstui" 2>/dev/null; then
  echo "✗ jstui is not importable by $JSTUI_PYTHON (set JSTUI_PYTHON)"; exit 2
fi
SDK="${SDK_VENV:-$WORK/sdk}"  # SDK_VENV: reuse a venv that already has sagemaker<3
if [ -z "${SDK_VENV:-}" ]; then
  python3 -m venv "$SDK" || { echo "✗ could not create a venv"; exit 2; }
  if ! "$SDK/bin/pip" install -q "sagemaker<3" >"$WORK/pip.log" 2>&1; then
    echo "✗ pip install 'sagemaker<3' failed (see below)"; grep -v '^WARNING' "$WORK/pip.log" | tail -5; exit 2
  fi
fi
export SAGEMAKER_SUPPRESS_V2_WARNING=1
echo "✓ sagemaker $("$SDK/bin/python" -c 'import sagemaker; print(sagemaker.__version__)' 2>/dev/null | tail -1) in $SDK"

# 1. The requests, built by jstui's own code from the shipped sample studies (offline JumpStart metadata).
"$JSTUI_PYTHON" - "$WORK/requests.json" <<'PY' || { echo "✗ jstui could not build the requests"; exit 2; }
import json, sys
from jstui.aws.hosting import DeployTarget, InferenceSpec, build_request, create_model_request
from jstui.aws.jumpstart import builtin_image, lookup
from jstui.domain.tuning_request import build_tuning_request
from jstui.sample_studies import ROOT
from jstui.study import load_study

out = {}
for study_file, candidate, name in (("caltech256.toml", "mobilenet-v2-075-96", "conf-js"),
                                    ("builtin-image-classification.toml", None, "conf-builtin"),
                                    ("neu-det.toml", "type1", "conf-grid")):
    study = load_study(ROOT / study_file)
    c = study.candidate(candidate) if candidate else study.candidates[0]
    if c.model_id:
        js = lookup(c.model_id, c.model_version, region=study.region, offline_dir=study.emulator.jumpstart_metadata,
                    instance_type=c.resources.instance_type)
        req = build_tuning_request(study, c, name, jumpstart=js, builtin_image=None)
        # what jstui's deploy sends in CreateModel (core/aws/hosting.py create_model_request)
        target = DeployTarget(c, "JOB", "ARTIFACT", js.training_image)
        spec = InferenceSpec(js.inference_image, js.default_inference_instance_type, js.version,
                             tuple(sorted(js.inference_environment.items())), js.inference_enable_network_isolation)
        model = create_model_request(build_request(study, target, spec, "jstui-endpoint", "ml.m5.xlarge", 1))
        # what the SDK is given for the same candidate (it adds the spec's defaults itself)
        req["_sdk_inputs"] = {
            "model_id": c.model_id, "instance_type": c.resources.instance_type, "role": study.role_arn,
            "output_path": study.output_s3, "max_run": c.resources.max_runtime_s,
            "hyperparameters": {**c.hyperparameters, **c.tuning.static},
            "channels": {ch.name: [ch.uri, ch.content_type] for ch in study.channels_of(c)},
        }
        req["_jstui_create_model"] = {"model_id": c.model_id, "Image": model["PrimaryContainer"]["Image"],
                                      "Environment": model["PrimaryContainer"].get("Environment"),
                                      "EnableNetworkIsolation": model.get("EnableNetworkIsolation", False)}
    else:
        req = build_tuning_request(study, c, name, jumpstart=None, builtin_image=builtin_image(c.algorithm, study.region))
    out[name] = req
json.dump(out, open(sys.argv[1], "w"))
PY

# 2. The emulator, fast enough that every job ends within seconds.
# (every shipped catalog, the default)
JSTUI_HOME="$WORK/home" "$JSTUI_PYTHON" -m jstui emulator --port 0 --state "$WORK/emu.sqlite" --speed 200000 \
  --noise 0 2>"$WORK/emu.log" &
EMU_PID=$!
URL=""
for _ in $(seq 1 100); do
  URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/emu.log" | head -1)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "✗ the emulator did not start:"; cat "$WORK/emu.log"; exit 2; }
echo "✓ emulator at $URL"

# 3. The SDK v2 against it: offline JumpStart metadata (the shipped snapshot, through the SDK's own
# override variables) and its telemetry off (SDK defaults config, TelemetryOptOut).
SNAPSHOT=$("$JSTUI_PYTHON" -c "from jstui.sample_studies import ROOT; print(ROOT / 'jumpstart')")
printf 'SchemaVersion: "1.0"\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n' >"$WORK/sdk-config.yaml"
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 \
  SAGEMAKER_USER_CONFIG_OVERRIDE="$WORK/sdk-config.yaml" \
  AWS_JUMPSTART_MANIFEST_LOCAL_ROOT_DIR_OVERRIDE="$SNAPSHOT/manifest" \
  AWS_JUMPSTART_SPECS_LOCAL_ROOT_DIR_OVERRIDE="$SNAPSHOT/specs" \
  "$SDK/bin/python" - "$URL" "$WORK/requests.json" <<'PY'
import json, sys, time, traceback

import boto3
import sagemaker
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.jumpstart.estimator import JumpStartEstimator
from sagemaker.tuner import CategoricalParameter, HyperparameterTuner

url, requests = sys.argv[1], json.load(open(sys.argv[2]))
boto = boto3.Session(region_name="us-east-1")
sm = boto.client("sagemaker", endpoint_url=url)
session = sagemaker.Session(boto_session=boto, sagemaker_client=sm,
                            sagemaker_runtime_client=boto.client("sagemaker-runtime", endpoint_url=url),
                            default_bucket="example-bucket")
failed = 0


def check(what, fn):
    global failed
    try:
        detail = fn()
        print(f"✓ {what}" + (f": {detail}" if detail else ""))
        return True
    except Exception as exc:  # a crash inside the SDK is what this run looks for
        failed += 1
        last = traceback.extract_tb(exc.__traceback__)[-1]
        print(f"✗ {what}: {type(exc).__name__}: {exc} (at {last.filename.split('site-packages/')[-1]}:{last.lineno})")
        return False


def same_create_model(best, expected):
    """JumpStartEstimator.attach(best).deploy(): the SDK's own CreateModel, compared with jstui's."""
    est = JumpStartEstimator.attach(best, model_id=expected["model_id"], sagemaker_session=session)
    est.deploy(endpoint_name="sdk-" + best[-8:], wait=True)
    print(flush=True)  # ends the SDK's "---!" progress line
    config = sm.describe_endpoint(EndpointName="sdk-" + best[-8:])["EndpointConfigName"]
    model = sm.describe_model(ModelName=sm.describe_endpoint_config(EndpointConfigName=config)
                              ["ProductionVariants"][0]["ModelName"])
    sdk = {"Image": model["PrimaryContainer"]["Image"], "Environment": model["PrimaryContainer"].get("Environment"),
           "EnableNetworkIsolation": model.get("EnableNetworkIsolation", False)}
    ours = {k: v for k, v in expected.items() if k != "model_id"}
    if sdk != ours:
        raise AssertionError(f"SDK sent {sdk}, jstui sends {ours}")
    return f"Image, Environment ({len(sdk['Environment'] or {})} variables), EnableNetworkIsolation={sdk['EnableNetworkIsolation']} equal"


def _normalised(d):
    """A described tuning job's definition in comparable form: hyperparameters JSON-decoded (the SDK
    JSON-encodes script-mode ones), without the per-job ones the SDK adds (sagemaker_job_name,
    sagemaker_region, sagemaker_container_log_level) and the service's _tuning_objective_metric."""
    t, cfg = d["TrainingJobDefinition"], d["HyperParameterTuningJobConfig"]

    def decode(v):
        try:
            return str(json.loads(v))
        except ValueError:
            return v
    skip = {"sagemaker_job_name", "sagemaker_region", "sagemaker_container_log_level", "_tuning_objective_metric"}
    res = t.get("ResourceConfig") or t.get("HyperParameterTuningResourceConfig") or {}
    return {
        "image": t["AlgorithmSpecification"]["TrainingImage"],
        "metrics": sorted(m["Name"] for m in t["AlgorithmSpecification"].get("MetricDefinitions") or []),
        "static": {k: decode(v) for k, v in t["StaticHyperParameters"].items() if k not in skip},
        "channels": {c["ChannelName"]: [c["DataSource"]["S3DataSource"]["S3Uri"], c.get("ContentType"),
                                         c.get("InputMode", "File")] for c in t["InputDataConfig"]},
        "isolation": t.get("EnableNetworkIsolation", False),
        "encryption": t.get("EnableInterContainerTrafficEncryption", False),
        "stopping": t.get("StoppingCondition"),
        "resources": {k: res.get(k) for k in ("InstanceType", "InstanceCount", "VolumeSizeInGB")},
        "config": {k: cfg.get(k) for k in ("Strategy", "HyperParameterTuningJobObjective", "ParameterRanges",
                                           "ResourceLimits", "TrainingJobEarlyStoppingType")},
    }


def same_tuning_job(name, req, given):
    """The SDK's own CreateHyperParameterTuningJob for the same model and spec, compared with jstui's."""
    est = JumpStartEstimator(model_id=given["model_id"], instance_type=given["instance_type"], role=given["role"],
                             output_path=given["output_path"], max_run=given["max_run"],
                             hyperparameters=given["hyperparameters"], sagemaker_session=session)
    cfg = req["HyperParameterTuningJobConfig"]
    ranges = {r["Name"]: CategoricalParameter(r["Values"]) for r in cfg["ParameterRanges"]["CategoricalParameterRanges"]}
    tuner = HyperparameterTuner(est, cfg["HyperParameterTuningJobObjective"]["MetricName"], ranges,
                                metric_definitions=req["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"],
                                max_jobs=cfg["ResourceLimits"]["MaxNumberOfTrainingJobs"],
                                max_parallel_jobs=cfg["ResourceLimits"]["MaxParallelTrainingJobs"],
                                objective_type=cfg["HyperParameterTuningJobObjective"]["Type"], strategy=cfg["Strategy"])
    inputs = {ch: TrainingInput(uri, content_type=ct) for ch, (uri, ct) in given["channels"].items()}
    tuner.fit(inputs, job_name="sdk-" + name, wait=False)
    sdk = _normalised(sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="sdk-" + name))
    ours = _normalised(sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name))
    differ = sorted(k for k in sdk if sdk[k] != ours[k])
    if differ:
        raise AssertionError("; ".join(f"{k}: SDK {sdk[k]} / jstui {ours[k]}" for k in differ))
    return f"{len(sdk['static'])} hyperparameters, {len(sdk['channels'])} channels, image, isolation, ranges equal"


for name, req in requests.items():
    expected_model = req.pop("_jstui_create_model", None)
    sdk_inputs = req.pop("_sdk_inputs", None)
    sm.create_hyper_parameter_tuning_job(**req)
    for _ in range(600):
        status = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)["HyperParameterTuningJobStatus"]
        if status in ("Completed", "Failed", "Stopped"):
            break
        time.sleep(0.1)
    print(f"  {name}: {req['HyperParameterTuningJobConfig']['Strategy']}, {status}")
    if sdk_inputs:
        check(f"{name}: JumpStartEstimator + HyperparameterTuner.fit request = jstui's",
              lambda: same_tuning_job(name, req, sdk_inputs))
    state = {}
    check(f"{name}: HyperparameterTuner.attach",
          lambda: state.update(tuner=HyperparameterTuner.attach(name, sagemaker_session=session))
          or type(state["tuner"].estimator).__name__)
    if "tuner" not in state:
        continue
    check(f"{name}: best_training_job()", lambda: state.update(best=state["tuner"].best_training_job()) or state["best"])
    check(f"{name}: analytics().dataframe()",
          lambda: f"{len(state['tuner'].analytics().dataframe())} rows, objective column "
                  f"{'FinalObjectiveValue' in state['tuner'].analytics().dataframe().columns}")
    if "best" in state:
        check(f"{name}: Estimator.attach(best)",
              lambda: Estimator.attach(state["best"], sagemaker_session=session).model_data)
        if expected_model:
            check(f"{name}: JumpStartEstimator.attach(best).deploy() CreateModel = jstui's",
                  lambda: same_create_model(state["best"], expected_model))
sys.exit(1 if failed else 0)
PY
rc=$?
echo "sdk-v2-conformance: $([ $rc -eq 0 ] && echo 'all checks passed' || echo 'some checks failed') (exit $rc)"
exit $rc
