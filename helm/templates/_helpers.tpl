{{/* Prefix of every object's name. */}}
{{- define "psa.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "psa.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "gateway"). */}}
{{- define "psa.selectorLabels" -}}
app.kubernetes.io/name: {{ include "psa.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "psa.labels" -}}
{{ include "psa.selectorLabels" . }}
app.kubernetes.io/part-of: psa-agents
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Labels every pod of the release carries; the NetworkPolicies select on them. */}}
{{- define "psa.releaseSelector" -}}
app.kubernetes.io/name: {{ include "psa.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* An image reference: (dict "root" $ "image" .Values.gateway.image). */}}
{{- define "psa.image" -}}
{{- $registry := .root.Values.image.registry | trimSuffix "/" -}}
{{- $tag := .image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "psa.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "psa.fullname" .) -}}
{{- end -}}

{{/* Development sign-in: the gateway is the token issuer, so SUPABASE_URL is its own Service. */}}
{{- define "psa.devSupabaseUrl" -}}
{{- printf "http://%s-gateway:%v" (include "psa.fullname" .) .Values.gateway.service.port -}}
{{- end -}}

{{/*
Environment entries read from the Secret: (dict "root" $ "keys" (list "DATABASE_URL" ...)). Keys the services
cannot run without are required (a pod without them does not start, and says which key is missing); the
others are optional.
*/}}
{{- define "psa.secretEnv" -}}
{{- $required := list "DATABASE_URL" "SUPABASE_URL" -}}
{{- range .keys }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ include "psa.secretName" $.root }}
      key: {{ . }}
      {{- if not (has . $required) }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}

{{/* Secret keys of the model provider (orchestrator and agents). */}}
{{- define "psa.modelSecretKeys" -}}
{{- list "OPENAI_API_KEY" "ANTHROPIC_API_KEY" "AWS_BEARER_TOKEN_BEDROCK" "AWS_ACCESS_KEY_ID" "AWS_SECRET_ACCESS_KEY" "AWS_SESSION_TOKEN" | toJson -}}
{{- end -}}

{{/* Settings every service gets in its ConfigMap. */}}
{{- define "psa.baseConfig" -}}
NODE_ENV: {{ .Values.config.nodeEnv | quote }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
SHUTDOWN_TIMEOUT_MS: {{ .Values.config.shutdownTimeoutMs | quote }}
{{- end -}}

{{- define "psa.databaseConfig" -}}
DATABASE_POOL_MAX: {{ .Values.config.database.poolMax | quote }}
DATABASE_PREPARED_STATEMENTS: {{ .Values.config.database.preparedStatements | quote }}
DATABASE_STATEMENT_TIMEOUT_MS: {{ .Values.config.database.statementTimeoutMs | quote }}
DATABASE_CONNECT_TIMEOUT_S: {{ .Values.config.database.connectTimeoutS | quote }}
{{- end -}}

{{- define "psa.pipelineConfig" -}}
NATS_URL: {{ .Values.nats.url | quote }}
PIPELINE_NAMESPACE: {{ .Values.config.pipeline.namespace | quote }}
PIPELINE_ACK_WAIT_MS: {{ .Values.config.pipeline.ackWaitMs | quote }}
PIPELINE_MAX_DELIVER: {{ .Values.config.pipeline.maxDeliver | quote }}
PIPELINE_EVENTS_MAX_AGE_MS: {{ .Values.config.pipeline.eventsMaxAgeMs | quote }}
PIPELINE_STREAM_REPLICAS: {{ .Values.nats.streamReplicas | quote }}
{{- end -}}

{{- define "psa.authConfig" -}}
AUTH_CLOCK_TOLERANCE_S: {{ .Values.config.auth.clockToleranceS | quote }}
{{- if .Values.gateway.devAuth.enabled }}
SUPABASE_URL: {{ include "psa.devSupabaseUrl" . | quote }}
{{- else if .Values.config.auth.jwksUrl }}
SUPABASE_JWKS_URL: {{ .Values.config.auth.jwksUrl | quote }}
{{- end }}
{{- end -}}

{{- define "psa.modelConfig" -}}
{{- $m := .Values.model -}}
AGENT_MODEL_PROVIDER: {{ $m.provider | quote }}
AGENT_MODEL_MAX_TOKENS: {{ $m.maxTokens | quote }}
AGENT_MODEL_TIMEOUT_MS: {{ $m.timeoutMs | quote }}
AGENT_MODEL_MAX_RETRIES: {{ $m.maxRetries | quote }}
OPENAI_API: {{ $m.openai.api | quote }}
{{- with $m.id }}
AGENT_MODEL_ID: {{ . | quote }}
{{- end }}
{{- if ne (toString $m.temperature) "" }}
AGENT_MODEL_TEMPERATURE: {{ $m.temperature | quote }}
{{- end }}
{{- with $m.openai.baseUrl }}
OPENAI_BASE_URL: {{ . | quote }}
{{- end }}
{{- with $m.anthropic.baseUrl }}
ANTHROPIC_BASE_URL: {{ . | quote }}
{{- end }}
{{- with $m.bedrock.region }}
AWS_REGION: {{ . | quote }}
{{- end }}
{{- with $m.bedrock.endpointUrl }}
AWS_ENDPOINT_URL_BEDROCK_RUNTIME: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* Extra variables of one service, after the chart's own (they win). */}}
{{- define "psa.extraConfig" -}}
{{- range $name, $value := . }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* Pod grace period: the shutdown deadline, the preStop pause and a margin. */}}
{{- define "psa.terminationGrace" -}}
{{- add (div .root.Values.config.shutdownTimeoutMs 1000) (.preStop | default 0) 5 -}}
{{- end -}}

{{/*
The Deployment of one service: (dict "root" $ "component" "gateway" "values" .Values.gateway "ports" (list ...)
"probes" "<yaml>" "secretKeys" (list ...) "volumes" "<yaml>" "mounts" "<yaml>" "preStop" 5 "replicas" 2).
Every container runs non-root with a read-only root filesystem; writable paths are emptyDirs it names.
*/}}
{{- define "psa.deployment" -}}
{{- $root := .root -}}
{{- $v := .values -}}
{{- $name := printf "%s-%s" (include "psa.fullname" $root) .component -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "psa.labels" (dict "root" $root "component" .component) | nindent 4 }}
spec:
  {{- if not (kindIs "invalid" .replicas) }}
  replicas: {{ .replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "psa.selectorLabels" (dict "root" $root "component" .component) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "psa.selectorLabels" (dict "root" $root "component" .component) | nindent 8 }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmaps.yaml") $root | sha256sum }}
        checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ $name }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ include "psa.terminationGrace" (dict "root" $root "preStop" .preStop) }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      {{- with $root.Values.image.pullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "psa.image" (dict "root" $root "image" $v.image) }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          securityContext:
            {{- toYaml $root.Values.containerSecurityContext | nindent 12 }}
          ports:
            {{- toYaml .ports | nindent 12 }}
          envFrom:
            - configMapRef:
                name: {{ $name }}
          {{- with .secretKeys }}
          env:
            {{- include "psa.secretEnv" (dict "root" $root "keys" .) | trim | nindent 12 }}
          {{- end }}
          {{- .probes | nindent 10 }}
          {{- if .preStop }}
          lifecycle:
            preStop:
              sleep:
                seconds: {{ .preStop }}
          {{- end }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          {{- with .mounts }}
          volumeMounts:
            {{- . | nindent 12 }}
          {{- end }}
      {{- with .volumes }}
      volumes:
        {{- . | nindent 8 }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "psa.selectorLabels" (dict "root" $root "component" .component) | nindent 14 }}
{{- end -}}

{{/* A CPU HorizontalPodAutoscaler: (dict "root" $ "component" "web" "autoscaling" .Values.web.autoscaling). */}}
{{- define "psa.cpuHpa" -}}
{{- $name := printf "%s-%s" (include "psa.fullname" .root) .component -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $name }}
  labels:
    {{- include "psa.labels" (dict "root" .root "component" .component) | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $name }}
  minReplicas: {{ .autoscaling.minReplicas }}
  maxReplicas: {{ .autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .autoscaling.targetCPUUtilizationPercentage }}
{{- end -}}

{{/* A PodDisruptionBudget: (dict "root" $ "component" "web" "pdb" .Values.web.pdb). */}}
{{- define "psa.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ printf "%s-%s" (include "psa.fullname" .root) .component }}
  labels:
    {{- include "psa.labels" (dict "root" .root "component" .component) | nindent 4 }}
spec:
  maxUnavailable: {{ .pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "psa.selectorLabels" (dict "root" .root "component" .component) | nindent 6 }}
{{- end -}}

{{/* The three workers' names, in a stable order. */}}
{{- define "psa.agentNames" -}}
{{- list "project" "resourcing" "quotes" | toJson -}}
{{- end -}}

{{- define "psa.netpol.meta" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .name }}
  labels:
    {{- include "psa.labels" (dict "root" .root "component" "network-policy") | nindent 4 }}
{{- end -}}
