//! How the domain's states and kinds are stored: each as its word in a `text` column (the
//! migrations' CHECKs list the same words). A stored word the domain does not know fails the
//! query with a decoding error naming the type and the word.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef, Postgres};
use sqlx::{Decode, Encode, Type};

use crate::domain::{
    BlockKind, BlockSeverity, CommentOrigin, CommentStatus, DeliveryStatus, FollowerStatus,
    NoticeKind, QuotePolicy, QuoteState, ReactionKind, ReplyAuthorizationState, ReplyPolicy,
    ReviewStatus, Visibility,
};

macro_rules! stored_as_text {
    ($($name:ty),+ $(,)?) => {$(
        impl Type<Postgres> for $name {
            fn type_info() -> PgTypeInfo {
                <str as Type<Postgres>>::type_info()
            }

            fn compatible(ty: &PgTypeInfo) -> bool {
                <str as Type<Postgres>>::compatible(ty)
            }
        }

        impl Encode<'_, Postgres> for $name {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <&str as Encode<Postgres>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> Decode<'r, Postgres> for $name {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                let word = <&str as Decode<Postgres>>::decode(value)?;
                Ok(<$name>::parse(word)
                    .map_err(|e| format!("{} {word:?}: {e}", stringify!($name)))?)
            }
        }
    )+};
}

stored_as_text!(
    ReviewStatus,
    CommentOrigin,
    Visibility,
    CommentStatus,
    ReactionKind,
    BlockKind,
    BlockSeverity,
    FollowerStatus,
    DeliveryStatus,
    NoticeKind,
    QuotePolicy,
    QuoteState,
    ReplyPolicy,
    ReplyAuthorizationState,
);
