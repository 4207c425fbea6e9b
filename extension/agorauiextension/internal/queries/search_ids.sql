-- The runs where one text (an error, input or output of the run or one of
-- its nodes) holds every word searched for: resolved once for the list
-- and its counts.
SELECT DISTINCT ExecutionId
FROM {{ident .Database}}.search_text
WHERE OrgId = ? AND StartedAt >= ? AND StartedAt < ? AND hasAllTokens(Text, ?)
LIMIT ?
