#include "core/field_value.hpp"

#include <gtest/gtest.h>

#include "core/lead_facts.hpp"
#include "core/regex_pattern.hpp"

namespace leadrouter::core {
namespace {

Condition field(std::string name, Op op, std::vector<Value> values, bool case_sensitive = false) {
  Condition c;
  c.kind = Condition::Kind::kField;
  c.field.field = std::move(name);
  c.field.op = op;
  c.field.values = std::move(values);
  c.field.case_sensitive = case_sensitive;
  resolve_field(c.field);
  if (op == Op::kRegex) {
    c.field.pattern =
        compile_pattern(std::get<std::string>(c.field.values.front()), case_sensitive).value();
  }
  return c;
}

Condition tree(Condition::Kind kind, std::vector<Condition> children) {
  Condition c;
  c.kind = kind;
  c.children = std::move(children);
  return c;
}

class FieldValueTest : public ::testing::Test {
 protected:
  FieldValueTest() {
    lead.id = "L-1";
    lead.email = "Ana.Lima@Acme.COM";
    lead.company = "ACME, Inc.";
    lead.website = "https://www.acme.com/about";
    lead.country = "DE";
    lead.state = "BY";
    lead.industry = "Software";
    lead.employees = 250;
    lead.annual_revenue = 12.5e6;
    lead.language = "de";
    lead.title = "VP of Sales";
    lead.custom["tier_hint"] = "  420 ";
    lead.custom["is_partner"] = "Yes";
    lead.custom["segment_code"] = "ENT-7";
    FreeMailDomains free_mail = FreeMailDomains::from_text("gmail.com\n");
    facts = derive_facts(lead, free_mail);
  }

  bool eval(const Condition& c) const {
    return evaluate(c, FieldContext{lead, facts, enrichment, routing_ptr});
  }

  Lead lead;
  LeadFacts facts;
  Enrichment enrichment;
  RoutingFacts routing;
  const RoutingFacts* routing_ptr = nullptr;
};

TEST_F(FieldValueTest, EqFoldsCaseUnlessCaseSensitive) {
  EXPECT_TRUE(eval(field("industry", Op::kEq, {std::string("software")})));
  EXPECT_TRUE(eval(field("industry", Op::kEq, {std::string("SOFTWARE")})));
  EXPECT_FALSE(eval(field("industry", Op::kEq, {std::string("software")}, true)));
  EXPECT_TRUE(eval(field("industry", Op::kEq, {std::string("Software")}, true)));
  EXPECT_FALSE(eval(field("industry", Op::kEq, {std::string("Retail")})));
}

TEST_F(FieldValueTest, NeMatchesDifferentValueOnly) {
  EXPECT_TRUE(eval(field("country", Op::kNe, {std::string("US")})));
  EXPECT_FALSE(eval(field("country", Op::kNe, {std::string("de")})));
  EXPECT_TRUE(eval(field("country", Op::kNe, {std::string("de")}, true)));
}

TEST_F(FieldValueTest, InAndNotIn) {
  EXPECT_TRUE(eval(field("country", Op::kIn, {std::string("US"), std::string("de")})));
  EXPECT_FALSE(eval(field("country", Op::kIn, {std::string("US"), std::string("CA")})));
  EXPECT_TRUE(eval(field("country", Op::kNotIn, {std::string("US"), std::string("CA")})));
  EXPECT_FALSE(eval(field("country", Op::kNotIn, {std::string("US"), std::string("DE")})));
  EXPECT_TRUE(eval(field("employees", Op::kIn, {10.0, 250.0})));
  EXPECT_FALSE(eval(field("employees", Op::kNotIn, {10.0, 250.0})));
}

TEST_F(FieldValueTest, NumericComparisons) {
  EXPECT_TRUE(eval(field("employees", Op::kGt, {249.0})));
  EXPECT_FALSE(eval(field("employees", Op::kGt, {250.0})));
  EXPECT_TRUE(eval(field("employees", Op::kGte, {250.0})));
  EXPECT_FALSE(eval(field("employees", Op::kGte, {251.0})));
  EXPECT_TRUE(eval(field("employees", Op::kLt, {251.0})));
  EXPECT_FALSE(eval(field("employees", Op::kLt, {250.0})));
  EXPECT_TRUE(eval(field("employees", Op::kLte, {250.0})));
  EXPECT_FALSE(eval(field("employees", Op::kLte, {249.0})));
  EXPECT_TRUE(eval(field("annual_revenue", Op::kGte, {1e7})));
  EXPECT_TRUE(eval(field("employees", Op::kEq, {250.0})));
  EXPECT_FALSE(eval(field("employees", Op::kEq, {251.0})));
}

TEST_F(FieldValueTest, BetweenIsInclusive) {
  EXPECT_TRUE(eval(field("employees", Op::kBetween, {250.0, 500.0})));
  EXPECT_TRUE(eval(field("employees", Op::kBetween, {50.0, 250.0})));
  EXPECT_FALSE(eval(field("employees", Op::kBetween, {251.0, 500.0})));
  EXPECT_FALSE(eval(field("employees", Op::kBetween, {1.0, 249.0})));
}

TEST_F(FieldValueTest, NumericStringsAreParsed) {
  EXPECT_TRUE(eval(field("custom.tier_hint", Op::kGt, {400.0})));
  EXPECT_TRUE(eval(field("custom.tier_hint", Op::kEq, {420.0})));
  EXPECT_TRUE(eval(field("custom.tier_hint", Op::kBetween, {420.0, 420.0})));
  EXPECT_FALSE(eval(field("custom.tier_hint", Op::kLt, {420.0})));
  // Text that is not a number never compares as one.
  EXPECT_FALSE(eval(field("custom.segment_code", Op::kGt, {0.0})));
  EXPECT_FALSE(eval(field("custom.segment_code", Op::kEq, {7.0})));
  // A number field against a numeric string literal.
  EXPECT_TRUE(eval(field("employees", Op::kEq, {std::string("250")})));
}

TEST_F(FieldValueTest, ContainsAndStartsWith) {
  EXPECT_TRUE(eval(field("title", Op::kContains, {std::string("sales")})));
  EXPECT_FALSE(eval(field("title", Op::kContains, {std::string("sales")}, true)));
  EXPECT_FALSE(eval(field("title", Op::kContains, {std::string("marketing")})));
  EXPECT_TRUE(eval(field("title", Op::kStartsWith, {std::string("vp")})));
  EXPECT_FALSE(eval(field("title", Op::kStartsWith, {std::string("sales")})));
  EXPECT_FALSE(eval(field("title", Op::kStartsWith, {std::string("vp")}, true)));
}

TEST_F(FieldValueTest, Regex) {
  EXPECT_TRUE(eval(field("title", Op::kRegex, {std::string("\\b(vp|head)\\b")})));
  EXPECT_FALSE(eval(field("title", Op::kRegex, {std::string("^sales")})));
  EXPECT_FALSE(eval(field("title", Op::kRegex, {std::string("^vp")}, true)));
  EXPECT_TRUE(eval(field("custom.segment_code", Op::kRegex, {std::string("^ENT-[0-9]+$")})));
}

TEST_F(FieldValueTest, RegexWithoutCompiledPatternStillWorks) {
  Condition c = field("title", Op::kEq, {std::string("^vp of")});
  c.field.op = Op::kRegex;  // built by hand, never compiled
  EXPECT_TRUE(eval(c));
}

TEST_F(FieldValueTest, Exists) {
  EXPECT_TRUE(eval(field("industry", Op::kExists, {})));
  EXPECT_TRUE(eval(field("industry", Op::kExists, {true})));
  EXPECT_FALSE(eval(field("industry", Op::kExists, {false})));
  EXPECT_FALSE(eval(field("city", Op::kExists, {})));
  EXPECT_TRUE(eval(field("city", Op::kExists, {false})));
  EXPECT_FALSE(eval(field("custom.nope", Op::kExists, {})));
  EXPECT_TRUE(eval(field("custom.segment_code", Op::kExists, {})));
}

TEST_F(FieldValueTest, MissingFieldFailsEveryOperatorButExists) {
  lead.employees.reset();
  for (const Op op : {Op::kEq, Op::kNe, Op::kGt, Op::kGte, Op::kLt, Op::kLte}) {
    EXPECT_FALSE(eval(field("employees", op, {1.0}))) << static_cast<int>(op);
  }
  EXPECT_FALSE(eval(field("employees", Op::kBetween, {0.0, 1e9})));
  EXPECT_FALSE(eval(field("employees", Op::kIn, {1.0})));
  EXPECT_FALSE(eval(field("employees", Op::kNotIn, {1.0})));
  EXPECT_FALSE(eval(field("city", Op::kNe, {std::string("Berlin")})));
  EXPECT_FALSE(eval(field("city", Op::kContains, {std::string("a")})));
  EXPECT_FALSE(eval(field("city", Op::kStartsWith, {std::string("a")})));
  EXPECT_FALSE(eval(field("city", Op::kRegex, {std::string(".*")})));
  // not(...) is how a missing field is included.
  EXPECT_TRUE(eval(tree(Condition::Kind::kNot, {field("city", Op::kEq, {std::string("Berlin")})})));
}

TEST_F(FieldValueTest, BooleanFieldsAndCustomBooleans) {
  EXPECT_TRUE(eval(field("is_free_mail", Op::kEq, {false})));
  EXPECT_FALSE(eval(field("is_free_mail", Op::kEq, {true})));
  EXPECT_TRUE(eval(field("custom.is_partner", Op::kEq, {true})));
  EXPECT_FALSE(eval(field("custom.is_partner", Op::kEq, {false})));
  lead.email.clear();
  facts.email_domain.clear();
  EXPECT_FALSE(eval(field("is_free_mail", Op::kEq, {false})));
  EXPECT_FALSE(eval(field("is_free_mail", Op::kExists, {})));
}

TEST_F(FieldValueTest, DerivedFacts) {
  EXPECT_TRUE(eval(field("email_domain", Op::kEq, {std::string("acme.com")}, true)));
  EXPECT_TRUE(eval(field("company_normalized", Op::kEq, {std::string("acme")}, true)));
  EXPECT_TRUE(eval(field("website_domain", Op::kEq, {std::string("acme.com")}, true)));
  EXPECT_EQ(field_value({lead, facts, enrichment, nullptr}, "email_domain"),
            std::optional<FieldValue>(std::string("acme.com")));
}

TEST_F(FieldValueTest, EnrichmentFacts) {
  EXPECT_TRUE(eval(field("account_matched", Op::kEq, {false})));
  EXPECT_TRUE(eval(field("duplicate_found", Op::kEq, {false})));
  EXPECT_FALSE(eval(field("account_owner_id", Op::kExists, {})));
  enrichment.account = AccountMatch{"A-1", "Acme", "005X", 0.97, "email domain acme.com"};
  enrichment.duplicate = DuplicateMatch{"L-0", "lead", "005Y", "same email"};
  EXPECT_TRUE(eval(field("account_matched", Op::kEq, {true})));
  EXPECT_TRUE(eval(field("duplicate_found", Op::kEq, {true})));
  EXPECT_TRUE(eval(field("account_owner_id", Op::kEq, {std::string("005x")})));
}

TEST_F(FieldValueTest, RoutingFactsOnlyWhenRouting) {
  const Condition tier_a = field("tier", Op::kEq, {std::string("A")});
  const Condition high = field("score", Op::kGte, {70.0});
  EXPECT_FALSE(eval(tier_a));
  EXPECT_FALSE(eval(high));
  routing.tier = "A";
  routing.territory = "EMEA";
  routing.segment = "industry=software";
  routing.score = 82;
  routing.fit_score = 90;
  routing.intent_score = 64;
  routing_ptr = &routing;
  EXPECT_TRUE(eval(tier_a));
  EXPECT_TRUE(eval(high));
  EXPECT_TRUE(eval(field("territory", Op::kEq, {std::string("emea")})));
  EXPECT_TRUE(eval(field("segment", Op::kStartsWith, {std::string("industry=")})));
  EXPECT_TRUE(eval(field("fit_score", Op::kGt, {89.0})));
  EXPECT_TRUE(eval(field("intent_score", Op::kLt, {65.0})));
  EXPECT_FALSE(eval(field("model_probability", Op::kExists, {})));
  routing.model_probability = 0.4;
  EXPECT_TRUE(eval(field("model_probability", Op::kBetween, {0.3, 0.5})));
}

TEST_F(FieldValueTest, Trees) {
  const Condition yes = field("country", Op::kEq, {std::string("DE")});
  const Condition no = field("country", Op::kEq, {std::string("US")});
  EXPECT_TRUE(eval(Condition{}));  // kAlways
  EXPECT_TRUE(eval(tree(Condition::Kind::kAll, {yes, yes})));
  EXPECT_FALSE(eval(tree(Condition::Kind::kAll, {yes, no})));
  EXPECT_TRUE(eval(tree(Condition::Kind::kAll, {})));
  EXPECT_TRUE(eval(tree(Condition::Kind::kAny, {no, yes})));
  EXPECT_FALSE(eval(tree(Condition::Kind::kAny, {no, no})));
  EXPECT_FALSE(eval(tree(Condition::Kind::kAny, {})));
  EXPECT_TRUE(eval(tree(Condition::Kind::kNot, {no})));
  EXPECT_FALSE(eval(tree(Condition::Kind::kNot, {yes})));
}

TEST_F(FieldValueTest, UnresolvedConditionsAreLookedUpByName) {
  Condition c;
  c.kind = Condition::Kind::kField;
  c.field.field = "custom.segment_code";
  c.field.op = Op::kEq;
  c.field.values = {std::string("ent-7")};
  ASSERT_EQ(c.field.id, FieldId::kUnresolved);
  EXPECT_TRUE(eval(c));
  c.field.field = "no_such_field";
  EXPECT_FALSE(eval(c));
}

TEST(FieldScopeTest, KnowsEveryDocumentedField) {
  for (const char* name : {"id",
                           "source_system",
                           "object_type",
                           "email",
                           "first_name",
                           "last_name",
                           "title",
                           "company",
                           "website",
                           "country",
                           "state",
                           "city",
                           "industry",
                           "employees",
                           "annual_revenue",
                           "lead_source",
                           "language",
                           "custom.x",
                           "email_domain",
                           "is_free_mail",
                           "company_normalized",
                           "website_domain"}) {
    EXPECT_EQ(field_scope(name), FieldScope::kLead) << name;
  }
  for (const char* name :
       {"territory", "tier", "score", "fit_score", "intent_score", "model_probability",
        "account_matched", "account_owner_id", "duplicate_found", "segment"}) {
    EXPECT_EQ(field_scope(name), FieldScope::kRouting) << name;
  }
  EXPECT_EQ(field_scope("contry"), FieldScope::kUnknown);
  EXPECT_EQ(field_scope("custom."), FieldScope::kUnknown);
  EXPECT_EQ(field_scope(""), FieldScope::kUnknown);
}

TEST(FieldValueFunctionTest, ReturnsTypedValuesAndNulloptWhenUnset) {
  Lead lead;
  lead.employees = 12;
  lead.custom["k"] = "v";
  const LeadFacts facts;
  const Enrichment enrichment;
  const FieldContext ctx{lead, facts, enrichment, nullptr};
  EXPECT_EQ(field_value(ctx, "employees"), std::optional<FieldValue>(12.0));
  EXPECT_EQ(field_value(ctx, "custom.k"), std::optional<FieldValue>(std::string("v")));
  EXPECT_EQ(field_value(ctx, "account_matched"), std::optional<FieldValue>(false));
  EXPECT_EQ(field_value(ctx, "country"), std::nullopt);
  EXPECT_EQ(field_value(ctx, "tier"), std::nullopt);
  EXPECT_EQ(field_value(ctx, "bogus"), std::nullopt);
}

}  // namespace
}  // namespace leadrouter::core
