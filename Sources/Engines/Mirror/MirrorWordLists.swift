/// The small word lists the mirroring engine's rules use, written for this project (they are not
/// taken from VADER, NRC EmoLex or any other lexicon; see docs/engines/mirror.md). Every entry
/// is lowercase; multi-word entries are matched after `MirrorTokenizer` joins them.
enum MirrorWordLists {
    /// Degree adverbs that strengthen the sentiment word after them ("very good").
    static let boosters: Set<String> = [
        "absolutely", "amazingly", "awfully", "completely", "considerably", "damn", "decidedly", "deeply",
        "enormously", "entirely", "especially", "exceptionally", "extremely", "fabulously", "flipping", "freaking",
        "frigging", "fully", "greatly", "hella", "highly", "hugely", "incredibly", "insanely", "intensely",
        "majorly", "more", "most", "particularly", "purely", "quite", "really", "remarkably", "ridiculously",
        "so", "substantially", "super", "thoroughly", "too", "totally", "tremendously", "truly", "unbelievably",
        "unusually", "utterly", "very", "wildly",
    ]

    /// Degree adverbs that weaken the sentiment word after them ("slightly annoying").
    static let dampeners: Set<String> = [
        "almost", "barely", "fairly", "hardly", "kinda", "less", "marginally", "mildly", "moderately", "partly",
        "rather", "scarcely", "slightly", "somewhat", "sorta", "kind of", "sort of", "a bit", "a little",
        "a tad", "little",
    ]

    /// Two-word phrases joined into one token before the rules run (all are dampeners).
    static let phrases: [(String, String)] = [
        ("kind", "of"), ("sort", "of"), ("a", "bit"), ("a", "little"), ("a", "tad"),
    ]

    /// Words that negate the sentiment word up to three words after them ("not good", "never
    /// really happy"); any word ending in `n't` counts too, and so do the apostrophe-less forms.
    static let negators: Set<String> = [
        "not", "no", "never", "none", "nobody", "nothing", "nowhere", "neither", "nor", "cannot", "without",
        "aint", "cant", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "wont", "wouldnt",
        "shouldnt", "couldnt", "hasnt", "havent", "hadnt", "mustnt", "neednt", "rarely", "seldom", "nope", "nah",
    ]

    /// Words that signal a high level of activation, whatever their sign (arousal +1 each).
    static let excited: Set<String> = [
        "excited", "exciting", "thrilled", "thrilling", "ecstatic", "furious", "enraged", "rage", "raging",
        "panic", "panicking", "terrified", "horrified", "wow", "omg", "whoa", "urgent", "urgently", "hurry",
        "asap", "scream", "screaming", "yelling", "shocked", "shocking", "amazing", "awesome", "incredible",
        "hyped", "pumped", "stoked", "insane", "crazy", "livid", "frantic", "alarmed", "outraged", "explosive",
        "adrenaline", "yay", "woohoo", "hooray", "argh", "ugh",
    ]

    /// Words that signal low activation (arousal -1 each).
    static let calm: Set<String> = [
        "calm", "calmly", "relaxed", "relaxing", "peaceful", "serene", "tired", "sleepy", "exhausted", "bored",
        "boring", "meh", "chill", "chilled", "quiet", "quietly", "mellow", "lazy", "drowsy", "content",
        "restful", "slow", "gentle", "gently", "soothing", "weary", "sluggish", "idle",
    ]

    /// Keywords per emotion category (Plutchik's eight), a short list of common words each.
    static let emotions: [MirrorEmotion: Set<String>] = [
        .joy: ["happy", "happier", "happiest", "happily", "glad", "joy", "joyful", "delighted", "delight",
               "cheerful", "fun", "funny", "yay", "haha", "hahaha", "lol", "love", "loved", "loving", "great",
               "wonderful", "fantastic", "awesome", "excellent", "celebrate", "celebrating", "smile", "smiling",
               "laugh", "laughing", "enjoy", "enjoyed", "enjoying", "pleased", "thrilled", "ecstatic"],
        .trust: ["trust", "trusted", "trusting", "reliable", "rely", "honest", "honestly", "faithful", "loyal",
                 "believe", "confident", "confidence", "depend", "dependable", "safe", "sure", "certain",
                 "agree", "agreed", "support", "supportive", "respect", "thanks", "thank", "grateful"],
        .fear: ["afraid", "scared", "scary", "fear", "fearful", "frightened", "terrified", "terror", "panic",
                "anxious", "anxiety", "nervous", "worried", "worry", "worrying", "dread", "horror", "horrified",
                "threat", "threatened", "danger", "dangerous", "unsafe", "alarmed", "tense"],
        .surprise: ["surprise", "surprised", "surprising", "wow", "whoa", "omg", "unexpected", "unexpectedly",
                    "suddenly", "shocked", "shock", "shocking", "amazed", "astonished", "astonishing",
                    "unbelievable", "incredible", "startled", "stunned"],
        .sadness: ["sad", "sadly", "sadness", "unhappy", "depressed", "depressing", "miserable", "cry", "crying",
                   "cried", "tears", "lonely", "alone", "grief", "grieving", "heartbroken", "sorrow", "sorry",
                   "miss", "missing", "lost", "hopeless", "gloomy", "down", "upset", "hurt", "disappointed"],
        .disgust: ["disgust", "disgusted", "disgusting", "gross", "yuck", "eww", "ew", "nasty", "revolting",
                   "repulsive", "sick", "sickening", "vile", "awful", "horrible", "filthy", "foul", "creepy",
                   "nauseating", "appalling"],
        .anger: ["angry", "angrier", "anger", "mad", "furious", "rage", "raging", "hate", "hated", "hating",
                 "annoyed", "annoying", "irritated", "irritating", "outraged", "livid", "pissed", "frustrated",
                 "frustrating", "infuriating", "resent", "hostile", "damn", "wtf", "stupid", "idiot"],
        .anticipation: ["soon", "tomorrow", "waiting", "wait", "await", "expect", "expecting", "hope", "hoping",
                        "hopeful", "plan", "planning", "looking", "forward", "eager", "eagerly", "upcoming",
                        "next", "prepare", "preparing", "ready", "countdown", "anticipate"],
    ]

    /// Informal words and text-speak (each lowers formality).
    static let slang: Set<String> = [
        "lol", "lmao", "rofl", "omg", "wtf", "u", "ur", "r", "pls", "plz", "thx", "ty", "gonna", "wanna",
        "gotta", "yeah", "yep", "yup", "nope", "nah", "btw", "idk", "imo", "imho", "tbh", "brb", "haha", "hahaha",
        "hehe", "dude", "bro", "kinda", "sorta", "ya", "cuz", "cos", "dunno", "lemme", "gimme", "y'all", "ok",
        "okay", "k", "cool", "awesome", "stuff", "hey", "yo", "sup", "ugh", "meh", "yay", "xd", "omw", "np",
    ]

    /// Words typical of careful, formal writing (each raises formality).
    static let formal: Set<String> = [
        "please", "kindly", "regards", "sincerely", "dear", "furthermore", "moreover", "however", "therefore",
        "consequently", "nevertheless", "regarding", "concerning", "accordingly", "appreciate", "would",
        "could", "shall", "thank", "request", "inform", "assist", "further", "additionally", "respectfully",
    ]
}
