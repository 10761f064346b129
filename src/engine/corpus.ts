/**
 * The built-in text synthetic prompts are cut from (src/engine/synthetic.ts). Written for
 * streamtop: plain English prose on mixed subjects, so its tokens look like a real prompt's
 * (common words, some long ones, punctuation) rather than one repeated word a server might
 * compress or a tokenizer treat oddly.
 *
 * Kept to ASCII letters, spaces and the marks , . ; : ? ! and - inside words, with no digits or
 * apostrophes: every word then starts a new pre-token of the o200k tokenizer, so a prompt's
 * token count is the sum of its words' counts (see synthetic.ts).
 */
export const CORPUS = `
The harbour town woke slowly on winter mornings. Fishing boats came back before the light, their
decks crowded with nets and crates, and the market opened as soon as the first catch was counted.
Traders argued about prices in loud voices, children carried bread from the bakery, and an old man
mended sails in the doorway of a shed that had not been painted for years. Visitors rarely stayed
long, yet many of them remembered the smell of salt and smoke for the rest of their lives.

A good engineer measures before changing anything. When a service becomes slow, the temptation is
to guess: the database must be overloaded, the network must be congested, the new release must
contain a regression. Guesses are cheap, but they send teams in the wrong direction for days.
Careful measurement separates the time spent waiting for a connection, the time spent waiting for
the first byte, and the time spent streaming the rest of the answer. Only then does the real
bottleneck become visible, and only then can a fix be judged by whether it moved the numbers.

In the mountains the weather changes without warning. A clear blue sky at breakfast can turn into
fog and sleet before noon, and walkers who ignored the forecast find themselves following cairns
through a grey world where every rock looks the same. Experienced guides carry spare layers, a
compass and more food than they expect to need. They also know when to turn back, which is the
hardest skill of all, because the summit always seems closer than it really is.

Language models read text as a sequence of tokens rather than letters or words. Common words are
usually a single token, while rare words, names and long technical terms are split into several
pieces. The cost of a request grows with the number of tokens in the prompt and in the answer,
and the time before the first token arrives depends mostly on how long the prompt is, because the
server must process all of it before it can begin to generate anything at all.

The library closed early on Thursdays, so students gathered in the cafe across the square instead.
They pushed tables together, spread out their notes and argued about history, chemistry and whose
turn it was to buy the next round of coffee. The owner tolerated them because they were polite and
because, on cold evenings, their laughter made the room feel warmer than the radiators ever could.

Gardens reward patience more than effort. Seeds planted in spring may show nothing for weeks, and
then suddenly a row of green shoots appears after a night of rain. Tomatoes need sun and support,
beans climb whatever they can reach, and lettuce bolts the moment the weather turns hot. A gardener
learns to read the soil, the sky and the insects, and slowly builds a quiet understanding of how
each small decision in April shapes the harvest that arrives at the end of summer.

Queues form whenever requests arrive faster than they can be served. A shop with one cashier and a
steady stream of customers works well until a busy hour, when the line grows faster than it
shrinks. Adding a second cashier does more than halve the wait: it removes the long tail of
unlucky customers who arrived just behind a slow transaction. Servers behave the same way, which
is why latency percentiles often rise sharply long before average throughput reaches its limit.

The old railway bridge had been closed for a decade, but the town still argued about its future.
Some wanted it demolished before it collapsed into the river; others wanted it restored as a path
for cyclists and walkers. Engineers inspected the steel, historians wrote letters to the newspaper,
and the council postponed the decision every spring. Meanwhile swallows nested under the girders
and fishermen sat beneath it on warm evenings, waiting patiently for something to bite.

Writing clear instructions is harder than it looks. The author knows what is meant, so every
sentence seems obvious; the reader arrives without that knowledge and stumbles on each missing
step. Good documentation states the goal first, lists what is needed, and then walks through the
task in order, pausing to explain why a step matters when skipping it would cause trouble later.
It also says what success looks like, so the reader can tell when the work is finished.

Bees communicate the location of flowers through a dance performed on the vertical face of the
comb. The angle of the dance relative to straight up tells the other bees the direction of the food
relative to the sun, and the duration of the waggle tells them how far away it is. Scientists spent
years decoding this behaviour, and it remains one of the most remarkable examples of symbolic
communication found anywhere outside the human species.
`;
