// A ChartWorld test-split chart, its question and a group of responses a policy might write:
// the expert's, a wrong answer, a malformed one, and one drawing off the image.
import { type ChartWorldExample, type ExpertTrajectory, generateExample, rasterizeSvg, seedsOfSplit } from "@sketchvl/chartworld";

export interface ChartGroup {
  png: Buffer;
  question: string;
  answer: string;
  expert: ExpertTrajectory;
  /** The chart and its one question (index 0), for ground truth such as RewardMap's sub-answers. */
  example: ChartWorldExample;
  responses: { expert: string; wrongAnswer: string; malformed: string; offImage: string };
}

export async function chartWorldGroup(): Promise<ChartGroup> {
  for (const seed of seedsOfSplit("test")) {
    const example = await generateExample(seed, { questionsPerChart: 1 });
    if (!example || example.trajectories[0].steps.length < 2) continue;
    const expert = example.trajectories[0];
    const question = example.questions[0];
    const wrong = question.answer === "1" ? "2" : "1";
    return {
      png: await rasterizeSvg(example.chart.svg),
      question: question.question,
      answer: question.answer,
      expert,
      example,
      responses: {
        expert: expert.text,
        wrongAnswer: expert.text.replace(/Answer: .*$/m, `Answer: ${wrong}`),
        malformed: `I think the answer is clear from the chart.\nAnswer: ${question.answer}`,
        offImage: `Intent1: Box the answer\nAction1: #Draw Box, [5000,100,6000,200], Red\nAnswer: ${wrong}`,
      },
    };
  }
  throw new Error("no ChartWorld test example found");
}
