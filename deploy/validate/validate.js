#!/usr/bin/env node
// Validates the deployment files offline, with no cluster and no Docker:
//   deploy/kubernetes/*.yaml  every document against the Kubernetes API schemas that kubernetes-models generates from
//                             the official OpenAPI spec (types, formats, required fields), then strictly: a field that
//                             the API does not have is an error, as with `kubectl apply --validate=strict` (checked by
//                             the TypeScript compiler against the same package's generated types); then the
//                             references between objects and this deployment's own rules (probes, security context,
//                             resources, the Secret mount, the drain budget); kustomization.yaml by hand.
//   deploy/docker-compose.yml against the Compose Specification's JSON schema (as shipped in the dclint package), then
//                             references, interpolation syntax and loopback-only ports.
//   Both: Redis holds usable presigned URLs, so it must require a password (--requirepass, from a Secret in
//   Kubernetes) and the gateway's connection string must pass that same password.
// Usage: node validate.js [DEPLOY_DIR]   (default: the deploy/ folder above this file)
// Prints one line per problem as file:line: message and exits 1 when there is any; exits 0 otherwise.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const YAML = require("yaml");
const ts = require("typescript");
const Ajv = require("ajv");

const deployDir = path.resolve(process.argv[2] ?? path.join(__dirname, ".."));
const kubernetesDir = path.join(deployDir, "kubernetes");
const composeFile = path.join(deployDir, "docker-compose.yml");
const problems = [];

function report(file, line, message) {
  const where = path.relative(process.cwd(), file) || file;
  problems.push(`${where}${line ? `:${line}` : ""}: ${message}`);
}

function pointer(parts) {
  return parts.length === 0 ? "(document)" : parts.join(".");
}

// ---------------------------------------------------------------------------------------------------------------------
// YAML with positions.

/** Every document of a file, with a function from a property path to its line. */
function loadYaml(file, version) {
  const text = fs.readFileSync(file, "utf8");
  const lineCounter = new YAML.LineCounter();
  const documents = YAML.parseAllDocuments(text, { lineCounter, version, uniqueKeys: true, strict: true });
  const list = Array.isArray(documents) ? documents : [];
  return list.map((document, index) => {
    const position = (offset) => lineCounter.linePos(offset).line;
    for (const issue of [...document.errors, ...document.warnings]) {
      report(file, position(issue.pos[0]), `YAML: ${issue.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`);
    }
    const lineAt = (parts) => {
      for (let depth = parts.length; depth >= 0; depth--) {
        const node = document.getIn(parts.slice(0, depth), true);
        if (node && node.range) {
          return position(node.range[0]);
        }
      }
      return document.contents?.range ? position(document.contents.range[0]) : 1;
    };
    const data = document.errors.length === 0 ? document.toJS({ maxAliasCount: 100 }) : undefined;
    return { file, index, data, lineAt };
  });
}

function instancePath(ajvPath) {
  return ajvPath
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function describeAjvError(error) {
  const at = instancePath(error.instancePath);
  const parts = [...at];
  let message = error.message;
  if (error.keyword === "additionalProperties") {
    parts.push(error.params.additionalProperty);
    message = `unknown field "${error.params.additionalProperty}"`;
  } else if (error.keyword === "required") {
    message = `missing required field "${error.params.missingProperty}"`;
  } else if (error.keyword === "enum") {
    message = `${message}: ${error.params.allowedValues.map((value) => JSON.stringify(value)).join(", ")}`;
  }
  return { parts, text: `${pointer(at)}: ${message}` };
}

// ---------------------------------------------------------------------------------------------------------------------
// Kubernetes.

const knownKustomizationFields = new Set([
  "apiVersion", "kind", "metadata", "namespace", "namePrefix", "nameSuffix", "resources", "components", "images",
  "labels", "commonLabels", "commonAnnotations", "configMapGenerator", "secretGenerator", "generatorOptions",
  "patches", "replicas", "replacements", "helmCharts", "openapi", "crds", "buildMetadata", "sortOptions",
]);
const clusterScopedKinds = new Set([
  "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass", "StorageClass",
  "PersistentVolume", "IngressClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
]);
const environmentName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/; // what envFrom accepts; other keys are skipped silently
const secretKeyName = /^[-._a-zA-Z0-9]+$/;

function kubernetesModel(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[a-z0-9.-]+(\/[a-z0-9]+)?$/.test(apiVersion)) {
    return undefined;
  }
  try {
    const model = require(`kubernetes-models/${apiVersion}`)[kind];
    return typeof model === "function" && typeof model.prototype.validate === "function" ? model : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a value as a TypeScript object literal, one property per line, remembering each line's property path. */
function literal(value) {
  const lines = [];
  const paths = [];
  const emit = (text, at) => {
    lines.push(text);
    paths.push(at);
  };
  const walk = (node, at, indent, prefix, suffix) => {
    if (Array.isArray(node)) {
      if (node.length === 0) {
        return emit(`${indent}${prefix}[]${suffix}`, at);
      }
      emit(`${indent}${prefix}[`, at);
      node.forEach((item, i) => walk(item, [...at, i], `${indent}  `, "", i < node.length - 1 ? "," : ""));
      return emit(`${indent}]${suffix}`, at);
    }
    if (node !== null && typeof node === "object" && !(node instanceof Date)) {
      const keys = Object.keys(node);
      if (keys.length === 0) {
        return emit(`${indent}${prefix}{}${suffix}`, at);
      }
      emit(`${indent}${prefix}{`, at);
      keys.forEach((key, i) => walk(node[key], [...at, key], `${indent}  `, `${JSON.stringify(key)}: `, i < keys.length - 1 ? "," : ""));
      return emit(`${indent}}${suffix}`, at);
    }
    return emit(`${indent}${prefix}${JSON.stringify(node instanceof Date ? node.toISOString() : node ?? null)}${suffix}`, at);
  };
  walk(value, [], "", "", "");
  return { text: lines.join("\n"), paths };
}

/**
 * Fields the API does not have. The schemas behind kubernetes-models' validate() ignore them, as the API server does
 * unless asked to be strict; TypeScript's excess-property check against the generated interfaces finds them, with the
 * line of the field. Other compiler errors are reported only for documents the schema check passed (it already names
 * type errors, and the compiler stops at the first error of an assignment).
 */
function unknownFields(objects, schemaFailed) {
  const options = {
    strict: true, noEmit: true, skipLibCheck: true, types: [], target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
  };
  const sources = new Map();
  objects.forEach((object, i) => {
    const { text, paths } = literal(object.data);
    const name = path.join(__dirname, `__manifest_${i}.ts`);
    const typeName = `I${object.data.kind}`;
    const source = `import type { ${typeName} } from "kubernetes-models/${object.data.apiVersion}";\nexport const manifest: ${typeName} = ${text};\n`;
    sources.set(name, { source, paths, object, failed: schemaFailed.has(object) });
  });
  const host = ts.createCompilerHost(options);
  const readSource = host.getSourceFile.bind(host);
  const exists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    sources.has(name) ? ts.createSourceFile(name, sources.get(name).source, language) : readSource(name, language, ...rest);
  host.fileExists = (name) => sources.has(name) || exists(name);
  host.readFile = ((read) => (name) => (sources.has(name) ? sources.get(name).source : read(name)))(host.readFile.bind(host));
  const program = ts.createProgram([...sources.keys()], options, host);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const entry = diagnostic.file && sources.get(diagnostic.file.fileName);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
    if (!entry) {
      report(__filename, undefined, `TypeScript: ${message}`);
      continue;
    }
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    const parts = entry.paths[line - 1] ?? [];
    const unknown = /may only specify known properties, (?:but|and) '"?([^'"]+)"?' does not exist in type 'I?([^']+)'(?:\. Did you mean to write '"?([^'"]+)"?'\?)?/.exec(message);
    if (unknown) {
      const hint = unknown[3] ? ` (did you mean "${unknown[3]}"?)` : "";
      report(entry.object.file, entry.object.lineAt(parts), `${pointer(parts)}: unknown field "${unknown[1]}": ${unknown[2].replace(/^IoK8s\w+?V\d\w*?(?=[A-Z][a-z])/, "")} has no such field${hint}`);
    } else if (diagnostic.code === 2307) {
      report(entry.object.file, entry.object.lineAt([]), `${entry.object.data.apiVersion} ${entry.object.data.kind}: no generated type to check fields against (${message})`);
    } else if (!entry.failed) {
      report(entry.object.file, entry.object.lineAt(parts), `${pointer(parts)}: ${message}`);
    }
  }
}

function matchesSelector(selector, labels) {
  if (!selector || !labels) {
    return false;
  }
  const matchLabels = selector.matchLabels ?? {};
  const expressions = selector.matchExpressions ?? [];
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) {
    return true;
  }
  return Object.entries(matchLabels).every(([key, value]) => labels[key] === value)
    && expressions.every(({ key, operator, values = [] }) => {
      switch (operator) {
        case "In": return values.includes(labels[key]);
        case "NotIn": return !values.includes(labels[key]);
        case "Exists": return key in labels;
        case "DoesNotExist": return !(key in labels);
        default: return false;
      }
    });
}

function quantity(text) {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(text));
  if (!match) {
    return NaN;
  }
  const units = { "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  return Number(match[1]) * (units[match[2]] ?? NaN);
}

function checkKubernetes() {
  if (!fs.existsSync(kubernetesDir)) {
    report(kubernetesDir, undefined, "no such directory");
    return { files: 0, documents: 0 };
  }
  const files = fs.readdirSync(kubernetesDir).filter((name) => /\.ya?ml$/.test(name)).sort();
  const objects = [];
  const kustomizations = [];
  const schemaFailed = new Set();
  let documents = 0;
  for (const name of files) {
    for (const entry of loadYaml(path.join(kubernetesDir, name), "1.1")) {
      const { data, file, lineAt } = entry;
      if (data === undefined || data === null) {
        continue;
      }
      documents++;
      if (typeof data !== "object" || Array.isArray(data)) {
        report(file, lineAt([]), "a manifest must be a mapping with apiVersion and kind");
        continue;
      }
      if (data.kind === "Kustomization") {
        kustomizations.push(entry);
        continue;
      }
      const Model = kubernetesModel(data.apiVersion, data.kind);
      if (!Model) {
        report(file, lineAt(["kind"]), `apiVersion ${JSON.stringify(data.apiVersion)} kind ${JSON.stringify(data.kind)} is not a Kubernetes API type`);
        continue;
      }
      objects.push(entry);
      try {
        new Model(structuredClone(data)).validate();
      } catch (error) {
        schemaFailed.add(entry);
        for (const issue of error.errors ?? [{ instancePath: "", message: error.message }]) {
          const { parts, text } = describeAjvError(issue);
          report(file, lineAt(parts), `${data.kind} ${data.metadata?.name ?? ""}: ${text}`);
        }
      }
    }
  }
  if (objects.length > 0) {
    unknownFields(objects, schemaFailed);
  }
  checkKubernetesReferences(objects, kustomizations, files);
  return { files: files.length, documents };
}

function checkKubernetesReferences(objects, kustomizations, files) {
  const byKind = (kind) => objects.filter((object) => object.data.kind === kind);
  const named = (kind, name) => objects.find((object) => object.data.kind === kind && object.data.metadata?.name === name);
  const workloads = objects.filter((object) => ["Deployment", "StatefulSet", "DaemonSet"].includes(object.data.kind));
  const podLabels = (workload) => workload.data.spec?.template?.metadata?.labels ?? {};

  // kustomization.yaml
  if (kustomizations.length !== 1) {
    report(kubernetesDir, undefined, `expected one kustomization.yaml, found ${kustomizations.length}`);
  }
  const kustomization = kustomizations[0];
  const namespace = kustomization?.data.namespace;
  if (kustomization) {
    const { data, file, lineAt } = kustomization;
    if (data.apiVersion !== "kustomize.config.k8s.io/v1beta1") {
      report(file, lineAt(["apiVersion"]), "apiVersion must be kustomize.config.k8s.io/v1beta1");
    }
    for (const key of Object.keys(data)) {
      if (!knownKustomizationFields.has(key)) {
        report(file, lineAt([key]), `unknown field "${key}" in a Kustomization`);
      }
    }
    if (typeof namespace !== "string" || namespace === "") {
      report(file, lineAt(["namespace"]), "set namespace: every object goes to one namespace");
    }
    const resources = Array.isArray(data.resources) ? data.resources : [];
    resources.forEach((resource, i) => {
      if (typeof resource !== "string" || !fs.existsSync(path.join(kubernetesDir, resource))) {
        report(file, lineAt(["resources", i]), `resource ${JSON.stringify(resource)} does not exist`);
      }
    });
    for (const name of files) {
      if (name !== path.basename(file) && !resources.includes(name)) {
        report(file, lineAt(["resources"]), `${name} is not listed in resources: kubectl apply -k would leave it out`);
      }
    }
    const images = workloads.flatMap((workload) => (workload.data.spec?.template?.spec?.containers ?? []).map((container) => String(container.image ?? "").replace(/[:@].*$/, "")));
    (data.images ?? []).forEach((image, i) => {
      if (!images.includes(image?.name)) {
        report(file, lineAt(["images", i, "name"]), `images: no container uses image "${image?.name}", so this override changes nothing`);
      }
    });
  }

  for (const object of objects) {
    const { data, file, lineAt } = object;
    const name = data.metadata?.name;
    if (!name) {
      continue; // the schema check has said so
    }
    if (clusterScopedKinds.has(data.kind)) {
      if (data.kind === "Namespace" && namespace && name !== namespace) {
        report(file, lineAt(["metadata", "name"]), `Namespace ${name} is not the kustomization's namespace ${namespace}`);
      }
    } else if (namespace && data.metadata.namespace !== namespace) {
      report(file, lineAt(["metadata", "namespace"]), `${data.kind} ${name}: metadata.namespace should be ${namespace}, so that kubectl apply -f puts it where kubectl apply -k does`);
    }
    if (data.kind === "ConfigMap") {
      Object.keys(data.data ?? {}).forEach((key) => {
        if (!environmentName.test(key)) {
          report(file, lineAt(["data", key]), `ConfigMap ${name}: key "${key}" is not a valid environment variable name; envFrom would skip it`);
        }
      });
    }
    if (data.kind === "Secret") {
      for (const field of ["data", "stringData"]) {
        Object.keys(data[field] ?? {}).forEach((key) => {
          if (!secretKeyName.test(key)) {
            report(file, lineAt([field, key]), `Secret ${name}: key "${key}" is not a valid Secret key (letters, digits, '-', '_', '.')`);
          }
        });
      }
    }
  }

  for (const workload of workloads) {
    checkWorkload(workload, named, objects);
  }
  checkKubernetesRedisPassword(workloads, named);

  const matched = (selector) => workloads.filter((workload) => matchesSelector(selector, podLabels(workload)));
  for (const service of byKind("Service")) {
    const { data, file, lineAt } = service;
    const targets = matched({ matchLabels: data.spec?.selector ?? {} });
    if (!data.spec?.selector || targets.length === 0) {
      report(file, lineAt(["spec", "selector"]), `Service ${data.metadata.name}: the selector matches no pods of these workloads`);
      continue;
    }
    (data.spec.ports ?? []).forEach((port, i) => {
      const target = port.targetPort ?? port.port;
      const found = targets.some((workload) => (workload.data.spec.template.spec.containers ?? []).some((container) =>
        (container.ports ?? []).some((declared) => (typeof target === "string" ? declared.name === target : declared.containerPort === target))));
      if (!found) {
        report(file, lineAt(["spec", "ports", i, "targetPort"]), `Service ${data.metadata.name}: targetPort ${target} is not a port of the selected containers`);
      }
    });
  }

  for (const hpa of byKind("HorizontalPodAutoscaler")) {
    const { data, file, lineAt } = hpa;
    const ref = data.spec?.scaleTargetRef ?? {};
    const target = named(ref.kind, ref.name);
    if (!target) {
      report(file, lineAt(["spec", "scaleTargetRef"]), `HorizontalPodAutoscaler ${data.metadata.name}: scales ${ref.kind} ${ref.name}, which is not here`);
      continue;
    }
    const minimum = data.spec.minReplicas ?? 1;
    if (minimum > data.spec.maxReplicas) {
      report(file, lineAt(["spec", "minReplicas"]), `HorizontalPodAutoscaler ${data.metadata.name}: minReplicas ${minimum} exceeds maxReplicas ${data.spec.maxReplicas}`);
    }
    for (const metric of data.spec.metrics ?? []) {
      const resource = metric.resource?.name;
      if (metric.type === "Resource" && metric.resource?.target?.type === "Utilization") {
        for (const container of target.data.spec?.template?.spec?.containers ?? []) {
          if (!container.resources?.requests?.[resource]) {
            report(target.file, target.lineAt(["spec", "template", "spec", "containers"]), `container ${container.name}: the HorizontalPodAutoscaler scales on ${resource} utilization, which needs resources.requests.${resource}`);
          }
        }
      }
    }
  }

  for (const pdb of byKind("PodDisruptionBudget")) {
    const { data, file, lineAt } = pdb;
    const targets = matched(data.spec?.selector);
    if (targets.length === 0) {
      report(file, lineAt(["spec", "selector"]), `PodDisruptionBudget ${data.metadata.name}: the selector matches no pods of these workloads`);
      continue;
    }
    for (const workload of targets) {
      const hpa = byKind("HorizontalPodAutoscaler").find((candidate) => candidate.data.spec?.scaleTargetRef?.name === workload.data.metadata.name);
      const replicas = hpa ? hpa.data.spec.minReplicas ?? 1 : workload.data.spec.replicas ?? 1;
      if (typeof data.spec.minAvailable === "number" && data.spec.minAvailable >= replicas) {
        report(file, lineAt(["spec", "minAvailable"]), `PodDisruptionBudget ${data.metadata.name}: minAvailable ${data.spec.minAvailable} with as few as ${replicas} replicas blocks every node drain`);
      }
    }
  }

  for (const workload of workloads) {
    checkMetricsPort(workload, named, byKind);
  }

  for (const policy of byKind("NetworkPolicy")) {
    const { data, file, lineAt } = policy;
    if (matched(data.spec?.podSelector).length === 0) {
      report(file, lineAt(["spec", "podSelector"]), `NetworkPolicy ${data.metadata.name}: podSelector matches no pods of these workloads`);
    }
    (data.spec?.ingress ?? []).forEach((rule, i) => (rule.from ?? []).forEach((peer, j) => {
      if (peer.podSelector && !peer.namespaceSelector && matched(peer.podSelector).length === 0) {
        report(file, lineAt(["spec", "ingress", i, "from", j, "podSelector"]), `NetworkPolicy ${data.metadata.name}: this podSelector matches no pods, so nothing is let in`);
      }
    }));
  }
}

/**
 * The gateway's Prometheus listener (Gateway__Telemetry__PrometheusEndpoint, on Gateway__Telemetry__MetricsUrl, default
 * http://+:9464): the container declares the port, the pod's prometheus.io annotations name it, no Service exposes it,
 * and the NetworkPolicies that isolate the pods let it in only from selected namespaces (and still let downloads in).
 */
function checkMetricsPort(workload, named, byKind) {
  const { data, file, lineAt } = workload;
  const template = data.spec?.template ?? {};
  const podAt = ["spec", "template", "spec"];
  (template.spec?.containers ?? []).forEach((container, c) => {
    const at = [...podAt, "containers", c];
    const label = `${data.kind} ${data.metadata.name}, container ${container.name}`;
    const settings = {};
    for (const source of container.envFrom ?? []) {
      Object.assign(settings, named("ConfigMap", source.configMapRef?.name)?.data.data ?? {});
    }
    for (const variable of container.env ?? []) {
      if (typeof variable.value === "string") {
        settings[variable.name] = variable.value;
      }
    }
    if (String(settings.Gateway__Telemetry__PrometheusEndpoint ?? "false").toLowerCase() !== "true") {
      return;
    }
    const url = settings.Gateway__Telemetry__MetricsUrl || "http://+:9464";
    const port = Number(/^http:\/\/[^/]+:(\d+)\/?$/.exec(url)?.[1]);
    if (!port) {
      report(file, lineAt(at), `${label}: Gateway__Telemetry__MetricsUrl "${url}" should be http://HOST:PORT`);
      return;
    }
    const declared = (container.ports ?? []).find((candidate) => candidate.containerPort === port);
    if (!declared) {
      report(file, lineAt([...at, "ports"]), `${label}: the metrics listener is on port ${port}; declare it as a containerPort`);
    }
    const annotations = template.metadata?.annotations ?? {};
    if (annotations["prometheus.io/scrape"] !== "true" || annotations["prometheus.io/port"] !== String(port)) {
      report(file, lineAt(["spec", "template", "metadata"]), `${data.kind} ${data.metadata.name}: annotate the pod template with prometheus.io/scrape "true" and prometheus.io/port "${port}" (the metrics listener)`);
    }
    const isMetrics = (target) => target === port || (declared?.name !== undefined && target === declared.name);
    for (const service of byKind("Service").filter((candidate) => matchesSelector({ matchLabels: candidate.data.spec?.selector ?? {} }, template.metadata?.labels))) {
      (service.data.spec?.ports ?? []).forEach((servicePort, i) => {
        if (isMetrics(servicePort.targetPort ?? servicePort.port)) {
          report(service.file, service.lineAt(["spec", "ports", i]), `Service ${service.data.metadata.name} exposes the metrics port ${port}: whatever routes to the Service (an Ingress, a CDN) would reach /metrics`);
        }
      });
    }
    const policies = byKind("NetworkPolicy").filter((policy) => (policy.data.spec?.policyTypes ?? ["Ingress"]).includes("Ingress") && matchesSelector(policy.data.spec?.podSelector, template.metadata?.labels));
    if (policies.length === 0) {
      report(file, lineAt(["spec", "template", "metadata"]), `${data.kind} ${data.metadata.name}: no NetworkPolicy selects these pods, so the metrics port ${port} is open to the whole cluster; admit it from the monitoring namespace only`);
      return;
    }
    const rules = policies.flatMap((policy) => (policy.data.spec.ingress ?? []).map((rule, i) => ({ policy, rule, i })));
    const admits = (rule, target) => !rule.ports || rule.ports.length === 0 || rule.ports.some((allowed) => allowed.port === undefined || allowed.port === target || (typeof allowed.port === "string" && allowed.port === (container.ports ?? []).find((p) => p.containerPort === target)?.name));
    const metricsRules = rules.filter(({ rule }) => admits(rule, port));
    if (metricsRules.length === 0) {
      report(policies[0].file, policies[0].lineAt(["spec", "ingress"]), `NetworkPolicy ${policies[0].data.metadata.name}: nothing admits the metrics port ${port}, so Prometheus can't scrape it`);
    }
    for (const { policy, rule, i } of metricsRules) {
      if (!rule.from || rule.from.length === 0 || rule.from.some((peer) => peer.ipBlock || (!peer.namespaceSelector && !peer.podSelector))) {
        report(policy.file, policy.lineAt(["spec", "ingress", i]), `NetworkPolicy ${policy.data.metadata.name}: this rule admits the metrics port ${port} from anywhere; admit it from the monitoring namespace only`);
      }
    }
    const http = (container.ports ?? []).filter((candidate) => candidate.containerPort !== port).map((candidate) => candidate.containerPort);
    for (const target of http) {
      if (!rules.some(({ rule }) => admits(rule, target) && (!rule.from || rule.from.length === 0))) {
        report(policies[0].file, policies[0].lineAt(["spec", "ingress"]), `NetworkPolicy ${policies[0].data.metadata.name}: it isolates the gateway pods but doesn't admit port ${target} from everywhere, so downloads and probes are cut off`);
      }
    }
  });
}

function checkWorkload(workload, named) {
  const { data, file, lineAt } = workload;
  const name = data.metadata.name;
  const template = data.spec?.template ?? {};
  const pod = template.spec ?? {};
  const podAt = ["spec", "template", "spec"];
  if (!matchesSelector(data.spec?.selector, template.metadata?.labels)) {
    report(file, lineAt(["spec", "selector"]), `${data.kind} ${name}: spec.selector does not match the pod template's labels`);
  }
  const podSecurity = pod.securityContext ?? {};
  if (podSecurity.seccompProfile?.type !== "RuntimeDefault" && podSecurity.seccompProfile?.type !== "Localhost") {
    report(file, lineAt([...podAt, "securityContext"]), `${data.kind} ${name}: set securityContext.seccompProfile.type RuntimeDefault`);
  }
  const volumes = new Map((pod.volumes ?? []).map((volume) => [volume.name, volume]));
  (pod.volumes ?? []).forEach((volume, i) => {
    if (volume.secret && !named("Secret", volume.secret.secretName) && !volume.secret.optional) {
      report(file, lineAt([...podAt, "volumes", i, "secret", "secretName"]), `${data.kind} ${name}: Secret ${volume.secret.secretName} is not here`);
    }
    if (volume.configMap && !named("ConfigMap", volume.configMap.name) && !volume.configMap.optional) {
      report(file, lineAt([...podAt, "volumes", i, "configMap", "name"]), `${data.kind} ${name}: ConfigMap ${volume.configMap.name} is not here`);
    }
  });

  (pod.containers ?? []).forEach((container, c) => {
    const at = [...podAt, "containers", c];
    const label = `${data.kind} ${name}, container ${container.name}`;
    const security = container.securityContext ?? {};
    const requirements = [
      [security.allowPrivilegeEscalation === false, "securityContext.allowPrivilegeEscalation: false"],
      [security.readOnlyRootFilesystem === true, "securityContext.readOnlyRootFilesystem: true"],
      [(security.capabilities?.drop ?? []).includes("ALL"), "securityContext.capabilities.drop: [ALL]"],
      [security.runAsNonRoot === true || (podSecurity.runAsNonRoot === true && security.runAsNonRoot !== false), "runAsNonRoot: true"],
      [container.resources?.requests?.cpu && container.resources?.requests?.memory, "resources.requests for cpu and memory"],
      [container.resources?.limits?.memory, "resources.limits.memory"],
      [container.readinessProbe, "a readinessProbe"],
      [container.livenessProbe, "a livenessProbe"],
    ];
    for (const [met, what] of requirements) {
      if (!met) {
        report(file, lineAt(at), `${label}: needs ${what}`);
      }
    }
    for (const kind of ["requests", "limits"]) {
      for (const resource of ["cpu", "memory"]) {
        const limit = container.resources?.limits?.[resource];
        const request = container.resources?.requests?.[resource];
        if (kind === "limits" && limit && request && quantity(request) > quantity(limit)) {
          report(file, lineAt([...at, "resources", "requests", resource]), `${label}: requests.${resource} ${request} exceeds limits.${resource} ${limit}`);
        }
      }
    }
    const portNames = new Set((container.ports ?? []).map((port) => port.name).filter(Boolean));
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
      const port = container[probe]?.httpGet?.port ?? container[probe]?.tcpSocket?.port;
      if (typeof port === "string" && !portNames.has(port)) {
        report(file, lineAt([...at, probe]), `${label}: ${probe} uses port "${port}", which the container does not name`);
      }
    }
    (container.envFrom ?? []).forEach((source, i) => {
      const configMap = source.configMapRef;
      const secret = source.secretRef;
      if (configMap && !configMap.optional && !named("ConfigMap", configMap.name)) {
        report(file, lineAt([...at, "envFrom", i]), `${label}: ConfigMap ${configMap.name} is not here`);
      }
      if (secret && !secret.optional && !named("Secret", secret.name)) {
        report(file, lineAt([...at, "envFrom", i]), `${label}: Secret ${secret.name} is not here`);
      }
    });
    (container.env ?? []).forEach((variable, i) => {
      const ref = variable.valueFrom?.configMapKeyRef ?? variable.valueFrom?.secretKeyRef;
      const kind = variable.valueFrom?.configMapKeyRef ? "ConfigMap" : "Secret";
      if (ref && !ref.optional) {
        const target = named(kind, ref.name);
        const keys = target ? { ...target.data.data, ...target.data.stringData } : undefined;
        if (!keys || !(ref.key in keys)) {
          report(file, lineAt([...at, "env", i]), `${label}: ${kind} ${ref.name} has no key ${ref.key}`);
        }
      }
    });
    const mounts = container.volumeMounts ?? [];
    mounts.forEach((mount, i) => {
      if (!volumes.has(mount.name)) {
        report(file, lineAt([...at, "volumeMounts", i, "name"]), `${label}: mounts volume ${mount.name}, which the pod does not have`);
      }
    });

    // The gateway's own contract with this deployment.
    const environment = new Map((container.env ?? []).map((variable) => [variable.name, variable.value]));
    if (!environment.has("Gateway__SecretsDirectory")) {
      return;
    }
    const secretsDirectory = environment.get("Gateway__SecretsDirectory");
    const secretMount = mounts.find((mount) => mount.mountPath === secretsDirectory);
    if (!secretMount || !volumes.get(secretMount.name)?.secret) {
      report(file, lineAt([...at, "env"]), `${label}: Gateway__SecretsDirectory is ${secretsDirectory}, but no Secret volume is mounted there`);
    }
    if (security.readOnlyRootFilesystem === true && !mounts.some((mount) => mount.mountPath === "/tmp" && volumes.get(mount.name)?.emptyDir)) {
      report(file, lineAt([...at, "volumeMounts"]), `${label}: with a read-only root file system, mount an emptyDir at /tmp (the runtime's diagnostics socket and dumps)`);
    }
    if (!(container.ports ?? []).some((port) => port.containerPort === 8080)) {
      report(file, lineAt([...at, "ports"]), `${label}: the image listens on 8080 (ASPNETCORE_HTTP_PORTS); declare containerPort 8080`);
    }
    for (const [probe, expected] of [["readinessProbe", "/readyz"], ["livenessProbe", "/healthz"], ["startupProbe", "/healthz"]]) {
      if (container[probe]?.httpGet?.path !== expected) {
        report(file, lineAt([...at, probe]), `${label}: ${probe} should be an httpGet of ${expected}`);
      }
    }
    const preStop = container.lifecycle?.preStop;
    const sleep = preStop?.sleep?.seconds ?? (preStop?.exec?.command?.[0] === "sleep" ? Number(preStop.exec.command[1]) : 0);
    const drain = Number(environment.get("DOTNET_shutdownTimeoutSeconds") ?? 30);
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    if (sleep + drain >= grace) {
      report(file, lineAt([...podAt, "terminationGracePeriodSeconds"]), `${label}: terminationGracePeriodSeconds ${grace} must exceed the preStop pause (${sleep} s) plus the gateway's drain (DOTNET_shutdownTimeoutSeconds, ${drain} s), or downloads are killed mid-drain`);
    }
  });
}

/** The image's repository without registry path, tag or digest: "docker.io/library/redis:7-alpine" -> "redis". */
function imageName(image) {
  return String(image ?? "").replace(/[:@].*$/, "").split("/").pop();
}

/**
 * A Redis container must be started with `--requirepass $(VAR)`, VAR from a Secret key; every gateway container must
 * connect with `password=$(VAR2)`, VAR2 from that same Secret key. A literal password, a ConfigMap connection string
 * or none at all is reported.
 */
function checkKubernetesRedisPassword(workloads, named) {
  const containersOf = (workload) => (workload.data.spec?.template?.spec?.containers ?? []).map((container, c) => ({
    workload, container, at: ["spec", "template", "spec", "containers", c], label: `${workload.data.kind} ${workload.data.metadata.name}, container ${container.name}`,
  }));
  const all = workloads.flatMap(containersOf);
  const secretKeyOf = (container, reference) => {
    const name = /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(reference ?? "")?.[1];
    const ref = name && (container.env ?? []).find((variable) => variable.name === name)?.valueFrom?.secretKeyRef;
    return ref ? `${ref.name}/${ref.key}` : undefined;
  };

  const passwords = new Set();
  for (const { workload, container, at, label } of all.filter(({ container }) => imageName(container.image) === "redis")) {
    const words = [...(container.command ?? []), ...(container.args ?? [])].map(String);
    const flag = words.indexOf("--requirepass");
    const secret = flag >= 0 ? secretKeyOf(container, words[flag + 1]) : undefined;
    if (!secret) {
      report(workload.file, workload.lineAt([...at, container.args ? "args" : "name"]), `${label}: Redis holds usable presigned URLs; require a password: args --requirepass $(VAR), with VAR from a Secret (env valueFrom.secretKeyRef), not a literal`);
    } else {
      passwords.add(secret);
    }
  }
  if (passwords.size === 0) {
    return;
  }

  for (const { workload, container, at, label } of all.filter(({ container }) => imageName(container.image) === "presign-gateway")) {
    const env = container.env ?? [];
    const index = env.findIndex((variable) => variable.name === "ConnectionStrings__Redis" || variable.name === "Gateway__Cache__Redis");
    if (index < 0) {
      const inConfigMap = (container.envFrom ?? []).some((source) => source.configMapRef
        && Object.keys(named("ConfigMap", source.configMapRef.name)?.data.data ?? {}).some((key) => key === "ConnectionStrings__Redis" || key === "Gateway__Cache__Redis"));
      report(workload.file, workload.lineAt([...at, "env"]), inConfigMap
        ? `${label}: the Redis connection string is in a ConfigMap, so it carries no password; set ConnectionStrings__Redis in env as host:6379,password=$(VAR), VAR from the Secret Redis uses`
        : `${label}: Redis is deployed here but the gateway has no ConnectionStrings__Redis in env; set it to host:6379,password=$(VAR), VAR from the Secret Redis uses`);
      continue;
    }
    const reference = /(?:^|,)\s*password=([^,]*)/.exec(String(env[index].value ?? ""))?.[1];
    const secret = secretKeyOf(container, reference);
    if (!secret || !passwords.has(secret)) {
      report(workload.file, workload.lineAt([...at, "env", index, "value"]), `${label}: ${env[index].name} must pass Redis's password: password=$(VAR), VAR from the same Secret key Redis requires (${[...passwords].join(", ")})`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Compose.

function composeSchema() {
  const schemaFile = path.join(path.dirname(require.resolve("dclint/package.json")), "schemas", "compose.schema.json");
  const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
  delete schema.$schema; // "https://json-schema.org/draft-07/schema", a spelling Ajv does not know; Ajv's default is draft-07
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

function checkCompose() {
  if (!fs.existsSync(composeFile)) {
    report(composeFile, undefined, "no such file");
    return 0;
  }
  const documents = loadYaml(composeFile, "1.2");
  if (documents.length !== 1) {
    report(composeFile, undefined, `expected one YAML document, found ${documents.length}`);
    return documents.length;
  }
  const { data, file, lineAt } = documents[0];
  if (data === undefined) {
    return 1;
  }
  const validate = composeSchema();
  if (!validate(data)) {
    // A oneOf failure brings every branch's complaint: drop the summaries, and the type mismatches of branches that
    // failed higher up than another branch's complaint ("must be array" beside a wrong value inside the mapping).
    const seen = new Set();
    const deeper = (issue) => validate.errors.some((other) => other.instancePath.startsWith(`${issue.instancePath}/`));
    for (const issue of validate.errors) {
      if (issue.keyword === "oneOf" || issue.keyword === "anyOf" || (issue.keyword === "type" && deeper(issue))) {
        continue;
      }
      const { parts, text } = describeAjvError(issue);
      if (!seen.has(text)) {
        seen.add(text);
        report(file, lineAt(parts), `compose schema: ${text}`);
      }
    }
  }

  const services = data.services !== null && typeof data.services === "object" ? data.services : {};
  // Interpolation: compose refuses anything but $$, $NAME, ${NAME}, ${NAME:-x}, ${NAME-x}, ${NAME:?x}, ${NAME?x}, ${NAME:+x}.
  const visit = (node, at) => {
    if (typeof node === "string") {
      const bad = node.replace(/\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?[-?+])[^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*/g, "");
      if (bad.includes("$")) {
        report(file, lineAt(at), `${pointer(at)}: invalid interpolation; write $$ for a literal $`);
      }
    } else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        visit(value, [...at, Array.isArray(node) ? Number(key) : key]);
      }
    }
  };
  visit(data, []);

  for (const [name, service] of Object.entries(services)) {
    const at = ["services", name];
    const dependencies = Array.isArray(service.depends_on)
      ? Object.fromEntries(service.depends_on.map((dependency) => [dependency, { condition: "service_started" }]))
      : service.depends_on ?? {};
    for (const [dependency, { condition }] of Object.entries(dependencies)) {
      const target = services[dependency];
      if (!target) {
        report(file, lineAt([...at, "depends_on", dependency]), `service ${name} depends on ${dependency}, which is not a service`);
      } else if (condition === "service_healthy" && !target.healthcheck && !target.build) {
        report(file, lineAt([...at, "depends_on", dependency]), `service ${name} waits for ${dependency} to be healthy, but ${dependency} has no healthcheck`);
      } else if (condition === "service_completed_successfully" && target.restart && target.restart !== "no") {
        report(file, lineAt([...at, "depends_on", dependency]), `service ${name} waits for ${dependency} to complete, but ${dependency} restarts (restart: ${target.restart})`);
      }
    }
    (service.ports ?? []).forEach((port, i) => {
      const hostIp = typeof port === "object" ? port.host_ip : /^(\d+\.\d+\.\d+\.\d+|\[[^\]]+\]):/.exec(String(port))?.[1];
      if (hostIp !== "127.0.0.1" && hostIp !== "[::1]") {
        report(file, lineAt([...at, "ports", i]), `service ${name} publishes ${JSON.stringify(port)} on every interface; bind it to 127.0.0.1`);
      }
    });
    if (imageName(service.image) === "redis") {
      checkComposeRedisPassword(name, service, services, file, lineAt);
    }
    if (service.build) {
      const context = path.resolve(path.dirname(file), typeof service.build === "string" ? service.build : service.build.context ?? ".");
      const dockerfile = path.resolve(context, service.build.dockerfile ?? "Dockerfile");
      if (!fs.existsSync(context) || !fs.existsSync(dockerfile)) {
        report(file, lineAt([...at, "build"]), `service ${name} builds ${path.relative(process.cwd(), dockerfile)}, which does not exist`);
      }
      if (service.read_only !== true || !(service.tmpfs ?? []).some((entry) => String(entry).split(":")[0] === "/tmp")) {
        report(file, lineAt(at), `service ${name} (the gateway image) should run read_only with a tmpfs at /tmp, as in Kubernetes`);
      }
    }
  }
  return 1;
}

/** A map of a service's environment, whether written as a mapping or as a list of NAME=value. */
function composeEnvironment(service) {
  const environment = service.environment ?? {};
  return Array.isArray(environment)
    ? Object.fromEntries(environment.map((entry) => [String(entry).split("=")[0], String(entry).slice(String(entry).indexOf("=") + 1)]))
    : environment;
}

/** Redis must start with --requirepass from a variable of its environment; the gateway's connection string passes the same value. */
function checkComposeRedisPassword(name, service, services, file, lineAt) {
  const at = ["services", name];
  const command = Array.isArray(service.command) ? service.command.join(" ") : String(service.command ?? "");
  const variable = /--requirepass\s+\\?"?\$\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(command)?.[1];
  const password = variable ? composeEnvironment(service)[variable] : undefined;
  if (!password) {
    report(file, lineAt([...at, "command"]), `service ${name}: Redis holds usable presigned URLs; require a password: --requirepass "$$VAR" in command, with VAR in the service's environment`);
    return;
  }
  for (const [gatewayName, gateway] of Object.entries(services)) {
    if (!gateway.build) {
      continue;
    }
    const environment = composeEnvironment(gateway);
    const key = ["ConnectionStrings__Redis", "Gateway__Cache__Redis"].find((candidate) => candidate in environment);
    const passed = key ? /(?:^|,)\s*password=([^,]*)/.exec(String(environment[key]))?.[1] : undefined;
    if (passed !== password) {
      report(file, lineAt(["services", gatewayName, "environment", key ?? "ConnectionStrings__Redis"]),
        `service ${gatewayName}: the Redis connection string must pass the password Redis requires: password=${password}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------

const started = Date.now();
const kubernetes = checkKubernetes();
const compose = checkCompose();
const versions = ["kubernetes-models", "dclint", "typescript", "yaml", "ajv"]
  .map((name) => `${name} ${require(`${name}/package.json`).version}`)
  .join(", ");
for (const problem of problems) {
  console.log(problem);
}
const summary = `${kubernetes.documents} Kubernetes documents in ${kubernetes.files} files, ${compose} compose file`;
if (problems.length > 0) {
  console.log(`validate: FAILED: ${problems.length} problem${problems.length === 1 ? "" : "s"} (${summary}; ${versions})`);
  process.exit(1);
}
console.log(`validate: OK: ${summary} (${versions}; ${Date.now() - started} ms)`);
