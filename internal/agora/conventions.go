package agora

// Span conventions of other agent instrumentations whose traces fold into
// executions (beside agora_tracer's, in vocab.go). When a span carries
// several, the first in this order wins: agora, OpenLLMetry, OpenInference,
// OTel GenAI.

// OpenLLMetry (Traceloop): traceloop.span.kind workflow / task / agent / tool.
const (
	TraceloopSpanKind     = "traceloop.span.kind"
	TraceloopEntityName   = "traceloop.entity.name"
	TraceloopWorkflowName = "traceloop.workflow.name"
	TraceloopEntityInput  = "traceloop.entity.input"
	TraceloopEntityOutput = "traceloop.entity.output"
	TraceloopWorkflow     = "workflow"
	// LLM spans mark themselves with llm.request.type (chat, completion).
	TraceloopLLMRequestType = "llm.request.type"
)

// OpenInference (Arize Phoenix): openinference.span.kind CHAIN / AGENT /
// TOOL / LLM / RETRIEVER / EMBEDDING / RERANKER / GUARDRAIL / EVALUATOR.
const (
	OpenInferenceSpanKind = "openinference.span.kind"
	OpenInferenceInput    = "input.value"
	OpenInferenceOutput   = "output.value"
	OpenInferenceLLM      = "LLM"
	OpenInferenceChain    = "CHAIN"
	OpenInferenceAgent    = "AGENT"
	OpenInferenceToolName = "tool.name"
)

// OTel GenAI semantic conventions: gen_ai.operation.name invoke_agent /
// execute_tool / chat / text_completion / generate_content / embeddings.
const (
	GenAIOperation       = "gen_ai.operation.name"
	GenAIAgentName       = "gen_ai.agent.name"
	GenAIToolName        = "gen_ai.tool.name"
	GenAIInvokeAgent     = "invoke_agent"
	GenAIExecuteTool     = "execute_tool"
	GenAIInput           = "gen_ai.input.messages"
	GenAIOutput          = "gen_ai.output.messages"
	GenAIConversationID  = "gen_ai.conversation.id"
	OpenInferenceSession = "session.id"
)

// GenAILLMOperations are the GenAI operations that are LLM calls.
var GenAILLMOperations = []string{"chat", "text_completion", "generate_content", "embeddings"}

// SessionKeys name a run's session or conversation, first match wins.
var SessionKeys = []string{GenAIConversationID, OpenInferenceSession, "traceloop.association.properties.session_id"}

// UserKeys name the end user a run served, first match wins.
var UserKeys = []string{"user.id", "enduser.id", "traceloop.association.properties.user_id"}

// InputSessionKeys and InputUserKeys are the input_data fields of an Agora
// API start that name its session and user (the API has no attributes).
var (
	InputSessionKeys = []string{"session_id", "conversation_id"}
	InputUserKeys    = []string{"user_id"}
)

// ProviderKeys name an LLM call's provider, first match wins.
var ProviderKeys = []string{"gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"}

// ConventionAttributes are every attribute the conventions above are read
// from (the journal keeps them).
var ConventionAttributes = []string{
	TraceloopSpanKind, TraceloopEntityName, TraceloopWorkflowName, TraceloopEntityInput, TraceloopEntityOutput, TraceloopLLMRequestType,
	OpenInferenceSpanKind, OpenInferenceInput, OpenInferenceOutput, OpenInferenceToolName,
	GenAIOperation, GenAIAgentName, GenAIToolName, GenAIInput, GenAIOutput, GenAIConversationID, OpenInferenceSession,
	"traceloop.association.properties.session_id", "gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system",
}
