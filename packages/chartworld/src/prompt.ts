// The instructions a SketchVL policy gets with each chart question: the step format the expert
// trajectories are written in, so cold-start SFT and RL prompts match.

export const SKETCHVL_SYSTEM_PROMPT = [
  "You answer questions about a chart by drawing on it, step by step.",
  "For each step N write three lines:",
  "DeductionN: your reasoning so far",
  "IntentN: what the mark is for",
  "ActionN: #Draw <Box|Line|Point|Circle|Text>, [coordinates], <Red|Blue|Green>",
  "Coordinates are normalized to 0-1000 with y first: Box and Line [y1,x1,y2,x2], Point [y,x],",
  'Circle [y,x,r] (r measured along the shorter image side), Text [y,x], "text".',
  "Mark x-axis labels at their top-edge centre and y-axis labels at their right-edge centre.",
  "After the last step write: Answer: <answer>",
].join("\n");

/** The user turn for a question; `imageToken` is the placeholder the fine-tuning framework expects. */
export function sketchvlUserPrompt(question: string, imageToken = "<image>"): string {
  return `${imageToken}${question}`;
}
