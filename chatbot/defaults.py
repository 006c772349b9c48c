"""The bot's starting configuration, installed by a data migration; admins change and extend it in Django admin."""
import json
from pathlib import Path

from django.utils import translation

TEXTS = {
    "greeting": {
        "en": "Hi! I'm the assistant. Ask me anything about your account, deposits, withdrawals or trading. "
              "Type \"agent\" at any time to talk to a person.",
        "zh-hans": "您好！我是智能助手，可以回答账户、充值、提现和交易方面的问题。随时输入“人工”即可联系客服。",
        "es": "¡Hola! Soy el asistente. Pregúntame sobre tu cuenta, depósitos, retiros o trading. "
              "Escribe «agente» cuando quieras hablar con una persona.",
        "ru": "Здравствуйте! Я ассистент. Спросите про аккаунт, депозиты, выводы или торговлю. "
              "Напишите «оператор», чтобы поговорить с человеком.",
        "ja": "こんにちは。アシスタントです。アカウント、入金、出金、取引についてご質問ください。"
              "担当者と話したいときは「担当者」と入力してください。",
        "ko": "안녕하세요! 도우미입니다. 계정, 입금, 출금, 거래에 대해 물어보세요. "
              "상담원과 이야기하려면 언제든 \"상담원\"이라고 입력하세요.",
    },
    "answer_intro": {
        "en": "This article should help:", "zh-hans": "这篇文章应该能帮到您：",
        "es": "Este artículo debería ayudarte:", "ru": "Эта статья должна помочь:",
        "ja": "こちらの記事が役に立つと思います：", "ko": "이 문서가 도움이 될 거예요:",
    },
    "ask_helpful": {
        "en": "Did this answer your question?", "zh-hans": "这解答了您的问题吗？",
        "es": "¿Resolvió esto tu pregunta?", "ru": "Это ответ на ваш вопрос?",
        "ja": "これで解決しましたか？", "ko": "궁금증이 해결되었나요?",
    },
    "suggest_intro": {
        "en": "I'm not sure; one of these may be what you need:", "zh-hans": "我不太确定，您可以看看这些文章：",
        "es": "No estoy seguro; quizá te sirva alguno de estos:", "ru": "Не уверен; возможно, поможет одна из статей:",
        "ja": "はっきりとはわかりませんが、こちらが参考になるかもしれません：", "ko": "확실하지 않지만 다음 문서가 도움이 될 수 있어요:",
    },
    "rephrase": {
        "en": "Sorry that didn't help. Could you say it in other words? Or type \"agent\" to talk to a person.",
        "zh-hans": "抱歉没能帮到您。能换个说法再描述一下吗？也可以输入“人工”联系客服。",
        "es": "Siento que no te haya servido. ¿Puedes decirlo con otras palabras? O escribe «agente» para hablar "
              "con una persona.",
        "ru": "Жаль, что не помогло. Сформулируйте, пожалуйста, иначе — или напишите «оператор», чтобы "
              "поговорить с человеком.",
        "ja": "お役に立てず申し訳ありません。別の言い方で教えていただけますか？担当者と話したいときは「担当者」と入力してください。",
        "ko": "도움이 되지 못해 죄송해요. 다른 말로 설명해 주시겠어요? 상담원과 이야기하려면 \"상담원\"이라고 입력하세요.",
    },
    "thanks_reply": {
        "en": "You're welcome! Anything else I can help with?", "zh-hans": "不客气！还有其他问题吗？",
        "es": "¡De nada! ¿Te ayudo con algo más?", "ru": "Пожалуйста! Могу ещё чем-то помочь?",
        "ja": "どういたしまして。ほかにご質問はありますか？", "ko": "천만에요! 더 도와드릴 일이 있을까요?",
    },
    "handover": {
        "en": "I'm connecting you with a colleague who speaks your language. They will see our conversation, so "
              "you won't need to repeat yourself.",
        "zh-hans": "正在为您转接会说您语言的客服，他们能看到我们的对话，您无需重复说明。",
        "es": "Te paso con un compañero que habla tu idioma. Verá nuestra conversación, así que no tendrás que "
              "repetir nada.",
        "ru": "Соединяю вас с сотрудником, который говорит на вашем языке. Он увидит нашу переписку — повторять "
              "ничего не придётся.",
        "ja": "ご利用の言語を話す担当者におつなぎします。これまでの会話は担当者に引き継がれるので、同じ説明は不要です。",
        "ko": "고객님의 언어를 쓰는 상담원에게 연결해 드릴게요. 지금까지의 대화를 상담원이 볼 수 있으니 다시 설명하실 필요 없어요.",
    },
    "no_agents": {
        "en": "No colleague for your language is online right now. You can leave a message "
              "and we will answer by email, or keep waiting.",
        "zh-hans": "目前没有使用您语言的客服在线。您可以留言，我们会通过邮件回复，也可以继续等待。",
        "es": "Ahora mismo no hay nadie de tu idioma en línea. Puedes dejar un mensaje y "
              "te responderemos por correo, o seguir esperando.",
        "ru": "Сейчас нет сотрудников на вашем языке. Оставьте сообщение — мы ответим "
              "по почте — или продолжайте ждать.",
        "ja": "現在、ご利用の言語の担当者がオンラインではありません。メッセージを残していただければ"
              "メールでご返信します。このままお待ちいただくこともできます。",
        "ko": "지금은 고객님의 언어를 쓰는 상담원이 없습니다. 메시지를 남기시면 이메일로 답변드리며, "
              "계속 기다리실 수도 있습니다.",
    },
    "queued": {
        "en": "You are number {position} in line; the estimated wait is about {low}-{high} minutes.",
        "zh-hans": "您在队列中排第 {position} 位，预计等待约 {low}-{high} 分钟。",
        "es": "Eres el número {position} en la fila; la espera estimada es de unos {low}-{high} minutos.",
        "ru": "Вы {position}-й в очереди; примерное ожидание — {low}-{high} мин.",
        "ja": "現在 {position} 番目です。待ち時間の目安は約 {low}～{high} 分です。",
        "ko": "대기 순서는 {position}번째이며, 예상 대기 시간은 약 {low}-{high}분입니다.",
    },
    "out_of_scope": {
        "en": "I can help with questions about your account, deposits, withdrawals and trading on our exchange, "
              "but not with that. Ask me something about those, or type \"agent\" to talk to a person.",
        "zh-hans": "我可以解答关于您的账户、充值、提现和交易的问题，但这个问题我帮不上忙。您可以问我这些方面的问题，"
                   "或输入“人工”联系客服。",
        "es": "Puedo ayudarte con tu cuenta, depósitos, retiros y trading en nuestro exchange, pero no con eso. "
              "Pregúntame algo de esos temas o escribe «agente» para hablar con una persona.",
        "ru": "Я помогаю с вопросами об аккаунте, депозитах, выводах и торговле на нашей бирже, но не с этим. "
              "Спросите меня о них — или напишите «оператор», чтобы поговорить с человеком.",
        "ja": "アカウント、入金、出金、当取引所での取引についてのご質問にはお答えできますが、その内容にはお答えできません。"
              "これらについてご質問いただくか、担当者と話したいときは「担当者」と入力してください。",
        "ko": "계정, 입금, 출금, 저희 거래소에서의 거래에 관한 질문은 도와드릴 수 있지만 그 내용은 도와드리기 어려워요. "
              "관련 질문을 해 주시거나, 상담원과 이야기하려면 \"상담원\"이라고 입력하세요.",
    },
    "goodbye_reply": {
        "en": "Goodbye, and thanks for contacting us! Come back any time.",
        "zh-hans": "再见，感谢您的咨询！有需要随时再来。",
        "es": "¡Hasta luego y gracias por escribirnos! Vuelve cuando quieras.",
        "ru": "До свидания, спасибо за обращение! Пишите в любое время.",
        "ja": "ご利用ありがとうございました。またいつでもどうぞ。",
        "ko": "문의해 주셔서 감사합니다. 언제든 다시 찾아 주세요!",
    },
    "human_only": {
        "en": "This is something a colleague needs to look at personally; I'm connecting you now.",
        "zh-hans": "这个问题需要客服人员亲自处理，正在为您转接。",
        "es": "Esto tiene que revisarlo personalmente un compañero; te paso ahora mismo.",
        "ru": "Этим вопросом должен заняться сотрудник лично — соединяю.",
        "ja": "この件は担当者が直接確認する必要があります。おつなぎします。",
        "ko": "이 문제는 상담원이 직접 확인해야 해요. 지금 연결해 드릴게요.",
    },
}

# (intent, language or "" for any, phrases)
PHRASES = [
    ("human", "en", ["agent", "human", "real person", "a person", "someone real", "live agent", "live chat agent",
                     "talk to someone", "speak to someone", "speak with someone",
                     "support staff", "representative", "operator", "talk to a human",
                     "speak to a human", "not a bot", "actual person", "live person", "rep", "support team",
                     "someone from support", "connect me to someone"]),
    ("human", "zh-hans", ["人工", "转人工", "人工客服", "客服", "真人", "工作人员", "客服人员", "人工服务"]),
    ("human", "es", ["agente", "persona", "persona real", "una persona", "humano", "operador", "asesor",
                     "hablar con alguien",
                     "atención al cliente", "representante"]),
    ("human", "ru", ["оператор", "оператора", "оператором", "живой человек", "живого человека", "человеком",
                     "сотрудник", "специалист", "менеджер", "человек", "консультант", "с кем нибудь",
                     "не бот"]),
    ("human", "ja", ["担当者", "たんとうしゃ", "オペレーター", "オペレータ", "人と話", "有人対応", "有人チャット",
                     "スタッフ", "人間", "サポートの方", "窓口", "誰か人"]),
    ("human", "ko", ["상담원", "상담사", "사람이랑", "사람과", "사람하고", "직원", "담당자", "상담 연결", "사람 연결",
                     "실제 사람"]),
    ("greeting", "", ["hi", "hello", "hey", "good morning", "good evening", "你好", "您好", "哈喽", "早上好",
                      "晚上好", "在吗", "hola",
                      "buenas", "buenos días", "привет", "здравствуйте", "добрый день", "こんにちは", "こんばんは",
                      "おはよう", "おはようございます", "안녕", "안녕하세요", "좋은 아침"]),
    ("thanks", "", ["thanks", "thank you", "thx", "ty", "cheers", "谢谢", "多谢", "感谢", "gracias",
                    "muchas gracias", "спасибо", "спс", "благодарю", "ありがとう", "ありがとうございます", "どうも", "助かりました", "감사합니다", "감사해요",
                    "고마워요", "고맙습니다", "수고하세요"]),
    ("negative", "", ["useless", "stupid bot", "terrible", "ridiculous", "worst", "没用", "垃圾", "太差", "inútil",
                      "pésimo", "horrible", "бесполезн", "ужасн", "бред", "役に立たない", "最悪",
                      "쓸모없", "최악", "짜증"]),
]

HUMAN_ONLY_TOPICS = {
    "Account frozen": ["account frozen", "frozen account", "account is frozen", "账户冻结", "账号被冻结", "被冻结",
                       "cuenta congelada", "cuenta bloqueada", "аккаунт заморожен", "заморозили", "凍結された", "凍結されて",
                       "계정 동결", "계정이 동결"],
    "Suspected fraud": ["fraud", "fraudulent", "unauthorized transaction", "unauthorised transaction", "欺诈",
                        "盗刷", "fraude", "мошенничество", "不正利用", "부정 거래"],
}


# What the agent reads on the handover card, in the agent's language.
HUMAN_ONLY_TOPIC_NAMES = {
    "Account frozen": {"en": "Account frozen", "zh-hans": "账户冻结", "es": "Cuenta congelada", "ru": "Аккаунт заморожен",
                       "ja": "アカウント凍結", "ko": "계정 동결"},
    "Suspected fraud": {"en": "Suspected fraud", "zh-hans": "疑似欺诈", "es": "Sospecha de fraude",
                        "ru": "Подозрение на мошенничество", "ja": "不正の疑い", "ko": "사기 의심"},
}


EXAMPLES_DIR = Path(__file__).resolve().parent / "intent_examples"


def intent_examples():
    """[(label, language, text)] the classifier ships with (chatbot/intent_examples/<language>.json)."""
    rows = []
    for path in sorted(EXAMPLES_DIR.glob("*.json")):
        for label, texts in json.loads(path.read_text(encoding="utf-8")).items():
            rows.extend((label, path.stem, text) for text in texts)
    return rows


def install_examples(IntentExample):
    """Add the shipped intent examples that are missing; never change or revive one an admin edited."""
    have = set(IntentExample.objects.values_list("language", "text"))
    IntentExample.objects.bulk_create([IntentExample(label=label, language=language, text=text)
                                       for label, language, text in intent_examples()
                                       if (language, text) not in have], ignore_conflicts=True)


def install(BotText, IntentPhrase, HumanOnlyTopic):
    """Create what is missing; never overwrite what an admin changed."""
    for key, texts in TEXTS.items():
        BotText.objects.get_or_create(key=key, defaults={"text": texts["en"], **{
            f"text_{lang.replace('-', '_')}": text for lang, text in texts.items()}})
    for intent, language, phrases in PHRASES:
        for phrase in phrases:
            IntentPhrase.objects.get_or_create(intent=intent, phrase=phrase, defaults={"language": language})
    # Migrations before the names were translated install these with the model of their day (no name_<lang>); after,
    # a topic is found by its English name whatever language is active (modeltranslation reads `name` in it).
    translated = any(field.name == "name_en" for field in HumanOnlyTopic._meta.get_fields())
    for name, keywords in HUMAN_ONLY_TOPICS.items():
        if not translated:
            HumanOnlyTopic.objects.get_or_create(name=name, defaults={"keywords": keywords})
            continue
        names = {f"name_{lang.replace('-', '_')}": text for lang, text in HUMAN_ONLY_TOPIC_NAMES[name].items()}
        with translation.override("en"):
            HumanOnlyTopic.objects.get_or_create(name_en=name, defaults={"keywords": keywords, "name": name, **names})
